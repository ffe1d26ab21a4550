"""Household loads per phase: a noisy base load plus scheduled appliances."""

from collections.abc import Mapping
from dataclasses import dataclass, field
import random

from simulator.electrical import PhaseCurrents

# Typical nameplate currents per phase; a scenario may override any of them.
APPLIANCE_PRESETS: Mapping[str, Mapping[str, float]] = {
    # A 5.6 kW 240 V dryer element cycles on its thermostat.
    "dryer": {"current_a": 24.0, "cycle_s": 600.0, "duty": 0.7},
    # A 4.5 kW water heater element runs until the tank is hot.
    "water_heater": {"current_a": 18.75, "cycle_s": 0.0, "duty": 1.0},
    # An oven's bake element cycles to hold its temperature.
    "oven": {"current_a": 16.0, "cycle_s": 300.0, "duty": 0.5},
    # A heat pump compressor runs in long cycles.
    "heat_pump": {"current_a": 12.0, "cycle_s": 1800.0, "duty": 0.6},
    "kettle": {"current_a": 9.0, "cycle_s": 0.0, "duty": 1.0},
    # A well or circulation pump on a pressure switch: short, frequent runs.
    "pump": {"current_a": 7.0, "cycle_s": 120.0, "duty": 0.5},
}


@dataclass(frozen=True)
class ApplianceSpec:
    """An appliance that runs on some phases during time windows, maybe cycling."""

    name: str
    current_a: float
    phases: tuple[str, ...]
    windows: tuple[tuple[float, float], ...]
    cycle_s: float = 0.0
    duty: float = 1.0

    def current_at(self, now: float) -> float:
        """Return the current drawn on each of its phases at ``now``."""
        for start, end in self.windows:
            if start <= now < end:
                if self.cycle_s <= 0:
                    return self.current_a
                on_s = self.duty * self.cycle_s
                return self.current_a if (now - start) % self.cycle_s < on_s else 0.0
        return 0.0


@dataclass(frozen=True)
class HomeLoadSpec:
    """The whole household load."""

    base_a: Mapping[str, float]
    noise_a: float = 0.0
    appliances: tuple[ApplianceSpec, ...] = field(default_factory=tuple)


class HomeLoad:
    """Deterministic household load; noise is drawn once per minute from a seed."""

    NOISE_PERIOD_S = 60.0

    def __init__(self, spec: HomeLoadSpec, duration_s: float, seed: int) -> None:
        """Draw the noise for the whole scenario up front, so it is repeatable."""
        self.spec = spec
        rng = random.Random(seed)
        self._periods = int(duration_s // self.NOISE_PERIOD_S) + 2
        self._noise = {
            phase: [rng.uniform(-1.0, 1.0) * spec.noise_a for _ in range(self._periods)]
            for phase in spec.base_a
        }

    def currents_at(self, now: float) -> PhaseCurrents:
        """Household current on each phase at ``now`` (never negative)."""
        index = min(int(now // self.NOISE_PERIOD_S), self._periods - 1)
        currents = {
            phase: max(0.0, base + self._noise[phase][index])
            for phase, base in self.spec.base_a.items()
        }
        for appliance in self.spec.appliances:
            amps = appliance.current_at(now)
            if amps:
                for phase in appliance.phases:
                    currents[phase] = currents.get(phase, 0.0) + amps
        return currents
