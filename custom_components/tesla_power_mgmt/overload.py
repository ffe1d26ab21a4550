"""When an excess over a limit is an overload worth a problem sensor.

Cars take seconds to follow a lower pilot, so every decrease leaves a short
excess; like the benchmark, only one outlasting the grace counts: the time
to see it (the slower of the chargers' poll and the meter's report interval)
+ the slowest vehicle command latency + 5 s.
"""

from dataclasses import dataclass

# The slowest vehicle command latency of the cloud and BLE integrations.
VEHICLE_LATENCY_S = 30.0
MARGIN_S = 5.0


@dataclass(slots=True)
class OverloadWatch:
    """Tracks how long the current excess has lasted and how often the meter reports."""

    poll_s: float
    meter_stale_s: float
    _since: float | None = None
    _meter_at: float | None = None
    _meter_interval_s: float = 0.0

    @property
    def grace_s(self) -> float:
        """Return how long an excess may last before it is an overload."""
        seen_after_s = max(self.poll_s, self._meter_interval_s)
        return seen_after_s + VEHICLE_LATENCY_S + MARGIN_S

    def update(self, now: float, excess: bool, meter_at: float | None) -> bool:
        """Take one evaluation; return whether the site is overloaded."""
        if meter_at is not None:
            if self._meter_at is not None and meter_at > self._meter_at:
                # A meter silent past its grace is stale, not slow.
                gap = min(meter_at - self._meter_at, self.meter_stale_s)
                self._meter_interval_s = gap
            self._meter_at = meter_at
        if not excess:
            self._since = None
            return False
        if self._since is None:
            self._since = now
        return now - self._since > self.grace_s
