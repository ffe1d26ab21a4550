"""When an overload trips a breaker: a thermal-magnetic model (IEC 60898-1 type C).

Heat accumulates as ``(I/In)^2 - 1.13^2`` per second while the current is above
1.13 x In (the conventional non-tripping current, which never trips) and
cools with a 10-minute time constant below it; the breaker trips when the
heat reaches ``TRIP_HEAT``. Calibrated so that 1.45 x In (the conventional
tripping current, which must trip within an hour) trips in about 6 minutes
and 2.55 x In in about 57 s (the standard's 1-60 s band). At 5 x In and above
the magnetic release trips at once (type C's lower bound). After a trip the
breaker is counted and reset; the simulation does not de-energise the circuit,
so later trips are still counted.
"""

import math

NO_TRIP_RATIO = 1.13
TRIP_HEAT = 300.0
COOLING_TAU_S = 600.0
MAGNETIC_RATIO = 5.0


class ThermalBreaker:
    """One breaker of rating ``rating_a``."""

    def __init__(self, rating_a: float) -> None:
        """Install a cold breaker."""
        self.rating_a = rating_a
        self.heat = 0.0
        self.trips = 0

    def step(self, current_a: float, dt_s: float) -> bool:
        """Carry ``current_a`` for ``dt_s``; return True if it tripped."""
        ratio = abs(current_a) / self.rating_a
        if ratio >= MAGNETIC_RATIO:
            return self._trip()
        if ratio > NO_TRIP_RATIO:
            self.heat += (ratio * ratio - NO_TRIP_RATIO * NO_TRIP_RATIO) * dt_s
        else:
            self.heat *= math.exp(-dt_s / COOLING_TAU_S)
        return self._trip() if self.heat >= TRIP_HEAT else False

    def _trip(self) -> bool:
        self.trips += 1
        self.heat = 0.0
        return True


def seconds_to_trip(ratio: float) -> float:
    """Return how long a cold breaker carries ``ratio`` x In before tripping."""
    if ratio >= MAGNETIC_RATIO:
        return 0.0
    if ratio <= NO_TRIP_RATIO:
        return math.inf
    return TRIP_HEAT / (ratio * ratio - NO_TRIP_RATIO * NO_TRIP_RATIO)
