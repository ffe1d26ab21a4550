"""How currents on the site's phases turn into power, for every supply kind.

A US split-phase service has two 120 V legs (L1, L2); a 240 V load such as a
Wall Connector draws the same current on both legs. A European three-phase
service has up to three 230 V phases, a UK/EU single-phase service one; a
charger draws on the phases its vehicle uses. Power is always the sum over
phases of current x phase voltage.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

type PhaseCurrents = dict[str, float]


class Supply(StrEnum):
    """The kind of electrical service at the site."""

    SPLIT_PHASE = "split_phase"
    SINGLE_PHASE = "single_phase"
    THREE_PHASE = "three_phase"


@dataclass(frozen=True)
class Grid:
    """The site's electrical service."""

    supply: Supply
    phases: tuple[str, ...]
    frequency_hz: float

    @property
    def phase_voltage_v(self) -> float:
        """Voltage of one phase (leg) to neutral."""
        return 120.0 if self.supply is Supply.SPLIT_PHASE else 230.0

    @property
    def charger_voltage_v(self) -> float:
        """The voltage a Wall Connector reports as ``grid_v``."""
        return 240.0 if self.supply is Supply.SPLIT_PHASE else 230.0

    def ev_phases(
        self, charger_phases: tuple[str, ...], vehicle_phases: int
    ) -> tuple[str, ...]:
        """Phases a vehicle draws on: both legs when split, else the first N."""
        if self.supply is Supply.SPLIT_PHASE:
            return charger_phases
        return charger_phases[:vehicle_phases]

    def power_w(self, currents: Mapping[str, float]) -> float:
        """Total power of per-phase currents."""
        return sum(currents.values()) * self.phase_voltage_v

    def spread(self, power_w: float, phases: Iterable[str]) -> PhaseCurrents:
        """Per-phase currents of a balanced source or load of ``power_w``."""
        names = tuple(phases)
        if not names:
            return {}
        amps = power_w / (self.phase_voltage_v * len(names))
        return dict.fromkeys(names, amps)


def zero_currents(phases: Iterable[str]) -> PhaseCurrents:
    """Return a fresh all-zero current map over ``phases``."""
    return dict.fromkeys(phases, 0.0)


def add_currents(into: PhaseCurrents, more: Mapping[str, float]) -> None:
    """Add ``more`` to ``into`` in place, phase by phase."""
    for phase, amps in more.items():
        into[phase] = into.get(phase, 0.0) + amps
