"""What the control loop knows of each vehicle, what it sends, and what it remembers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import math


class PausedBy(StrEnum):
    """Who stopped a vehicle's charging: only our own pause is ours to undo."""

    US = "us"
    USER = "user"


@dataclass(frozen=True, slots=True)
class ControlConfig:
    """The control loop's constants (see ``docs/faults.md`` and the README)."""

    min_rise_interval_s: float = 10.0
    min_command_a: int = 5
    allow_below_min_command: bool = False
    follow_tolerance_a: float = 1.0
    backoff_base_s: float = 10.0
    backoff_cap_s: float = 300.0
    repair_after_s: float = 180.0
    start_grace_s: float = 60.0


@dataclass(frozen=True, slots=True)
class CurrentNumber:
    """A vehicle's charge-current number: its state is what was set, not the draw."""

    value: float | None
    minimum: float = 0.0
    maximum: float = 48.0
    step: float = 1.0

    @property
    def lowest_a(self) -> int:
        """Return the lowest whole-step value the entity accepts."""
        return int(math.ceil(self.minimum / self.step - 1e-9) * self.step)

    @property
    def highest_a(self) -> int:
        """Return the highest whole-step value the entity accepts."""
        return self.at_or_below(self.maximum)

    def at_or_below(self, amps: float) -> int:
        """Return the highest whole-step value not above ``amps`` (or the maximum)."""
        top = min(amps, self.maximum)
        return int(math.floor(top / self.step + 1e-9) * self.step)


@dataclass(frozen=True, slots=True)
class VehicleInput:
    """One vehicle as the loop sees it now.

    ``number`` is None when missing or unavailable, ``switch_on`` None when
    there is no usable switch; ``plugged_in`` is the Wall Connector's
    ``vehicle_connected`` (None: the unit was not read); ``measured_a`` its
    measured current on the vehicle's worst phase.
    """

    charger_id: str
    number: CurrentNumber | None
    switch_on: bool | None = None
    plugged_in: bool | None = None
    measured_a: float = 0.0


@dataclass(frozen=True, slots=True)
class SetCurrent:
    """Set the vehicle's charge-current number (``repeat`` times: below 5 A twice)."""

    charger_id: str
    value_a: int
    repeat: int = 1
    pauses: bool = False
    resumes: bool = False


@dataclass(frozen=True, slots=True)
class SetCharging:
    """Switch the vehicle's charging on or off."""

    charger_id: str
    on: bool


type Command = SetCurrent | SetCharging


@dataclass(frozen=True, slots=True)
class Backoff:
    """Failed commands of one vehicle: none is sent before ``retry_at``."""

    failures: int = 0
    retry_at: float = -math.inf
    failing_since: float | None = None


@dataclass(frozen=True, slots=True)
class VehicleState:
    """What the loop remembers of one vehicle.

    ``sent_a`` and ``switch_sent`` are the value and the switch position
    last written successfully (None: not known); ``switch_seen`` what the
    switch showed at the last plan (None after a command of ours: its state
    may lag); ``in_flight`` is true while its commands run; ``resumed_at``
    when the loop last resumed it.
    """

    sent_a: int | None = None
    switch_sent: bool | None = None
    paused_by: PausedBy | None = None
    switch_seen: bool | None = None
    last_rise_at: float = -math.inf
    in_flight: bool = False
    backoff: Backoff = field(default_factory=Backoff)
    resumed_at: float | None = None


@dataclass(frozen=True, slots=True)
class ControlState:
    """Every vehicle's ``VehicleState`` by charger id; pass it to the next call."""

    vehicles: Mapping[str, VehicleState] = field(default_factory=dict)

    def vehicle(self, charger_id: str) -> VehicleState:
        """Return what is remembered of a vehicle (nothing yet: the default)."""
        return self.vehicles.get(charger_id, VehicleState())

    def paused_by_us(self, charger_id: str) -> bool:
        """Return whether the vehicle is stopped because the loop paused it."""
        return self.vehicle(charger_id).paused_by is PausedBy.US

    def ours_to_start(self, charger_id: str, now: float, config: ControlConfig) -> bool:
        """Whether the loop paused the vehicle, or resumed it within the start grace.

        A car takes seconds to start after a resume: meanwhile it still asks.
        """
        memory = self.vehicle(charger_id)
        resumed = memory.resumed_at
        return memory.paused_by is PausedBy.US or (
            resumed is not None and now - resumed < config.start_grace_s
        )

    def with_vehicle(self, charger_id: str, vehicle: VehicleState) -> ControlState:
        """Return this state with one vehicle's memory replaced."""
        return ControlState({**self.vehicles, charger_id: vehicle})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one vehicle's commands: ``done`` in order, then ``failed``."""

    charger_id: str
    done: tuple[Command, ...]
    failed: Command | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """Commands to send per vehicle (in order), the next state, and what to report.

    ``limited_by_vehicle``: vehicles whose own entity maximum is below their
    pilot; ``cannot_pause``: vehicles to pause with neither a switch nor a
    number minimum below 5 A; ``failing``: vehicles whose commands have
    failed for ``repair_after_s``.
    """

    commands: Mapping[str, tuple[Command, ...]]
    state: ControlState
    limited_by_vehicle: frozenset[str] = frozenset()
    cannot_pause: frozenset[str] = frozenset()
    failing: frozenset[str] = frozenset()
