"""Virtual time: seconds since the scenario started, advanced only by the site."""


class VirtualClock:
    """A clock that moves only when told to, so a simulated day takes seconds."""

    def __init__(self, start_s: float = 0.0) -> None:
        """Start the clock at ``start_s`` seconds."""
        self._now = start_s

    @property
    def now(self) -> float:
        """Seconds since the scenario started."""
        return self._now

    def advance(self, dt_s: float) -> None:
        """Move time forward by ``dt_s`` seconds (never backwards)."""
        if dt_s < 0:
            msg = f"time cannot go backwards ({dt_s} s)"
            raise ValueError(msg)
        self._now += dt_s
