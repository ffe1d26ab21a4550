"""The site meter: samples grid current per phase, reports late, can go stale."""

from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType

from simulator.electrical import PhaseCurrents


@dataclass(frozen=True)
class MeterSpec:
    """How often the meter samples, how late its values arrive, when it is silent."""

    interval_s: float = 2.0
    delay_s: float = 1.0
    stale: tuple[tuple[float, float], ...] = field(default_factory=tuple)

    def is_stale(self, now: float) -> bool:
        """Whether reports are lost at ``now``."""
        return any(start <= now < end for start, end in self.stale)


@dataclass(frozen=True)
class MeterReading:
    """One report: signed grid current per phase (+ = import) and power in W."""

    currents_a: MappingProxyType[str, float]
    power_w: float
    measured_at: float
    reported_at: float


class Meter:
    """Turns the true grid currents into the late, gappy reports a real meter sends."""

    def __init__(self, spec: MeterSpec) -> None:
        """Create a meter that has not reported yet."""
        self.spec = spec
        self._in_flight: deque[tuple[float, PhaseCurrents, float]] = deque()
        self._next_sample_s = 0.0
        self.latest: MeterReading | None = None

    def step(
        self, now: float, grid_currents: PhaseCurrents, grid_power_w: float
    ) -> None:
        """Sample on schedule and deliver samples whose delay has passed."""
        if now >= self._next_sample_s:
            self._in_flight.append((now, dict(grid_currents), grid_power_w))
            self._next_sample_s = now + self.spec.interval_s
        while self._in_flight and self._in_flight[0][0] + self.spec.delay_s <= now:
            measured_at, currents, power_w = self._in_flight.popleft()
            if self.spec.is_stale(now):
                continue
            self.latest = MeterReading(
                currents_a=MappingProxyType(currents),
                power_w=power_w,
                measured_at=measured_at,
                reported_at=now,
            )
