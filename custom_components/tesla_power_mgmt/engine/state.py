"""What the engine remembers between evaluations, as immutable values.

The integration keeps the ``EngineState`` returned in a ``Decision`` and
passes it to the next ``evaluate``. Per charger, one record per rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .cadence import NO_CADENCE, Cadence
from .model import LimitReason


@dataclass(frozen=True, slots=True)
class Following:
    """The not-following latch: over its pilot since, latched, following since."""

    over_since: float | None = None
    not_following: bool = False
    following_since: float | None = None


@dataclass(frozen=True, slots=True)
class NotDrawing:
    """Drawing clearly below its pilot since; the cap near its draw and when set."""

    below_since: float | None = None
    cap_a: int | None = None
    capped_at: float | None = None


@dataclass(frozen=True, slots=True)
class Queue:
    """Admission and rotation: left out since, and admitted in a turn since."""

    waiting_since: float | None = None
    turn_since: float | None = None


@dataclass(frozen=True, slots=True)
class Clocks:
    """Pacing clocks: room for 6 A since (resume), target above pilot since."""

    room_since: float | None = None
    rise_since: float | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A pilot change for the lag credit: when, the EV capacity then, the draw then."""

    at: float
    capacity_a: tuple[float, ...]
    drawn_a: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Lag:
    """The last rise and the last fall of the pilot (the measurement-lag credit)."""

    rise: Step | None = None
    fall: Step | None = None


NO_FOLLOWING = Following()
NO_NOT_DRAWING = NotDrawing()
NO_QUEUE = Queue()
NO_CLOCKS = Clocks()
NO_LAG = Lag()


@dataclass(frozen=True, slots=True)
class ChargerMemory:
    """One charger's last pilot, its reason, when it changed, and a record per rule."""

    pilot_a: int
    reason: LimitReason
    changed_at: float
    queue: Queue = NO_QUEUE
    clocks: Clocks = NO_CLOCKS
    following: Following = NO_FOLLOWING
    not_drawing: NotDrawing = NO_NOT_DRAWING
    lag: Lag = NO_LAG


_EMPTY: Mapping[str, ChargerMemory] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class EngineState:
    """Everything carried from one evaluation to the next.

    ``outage_holding`` latches the battery at its charging threshold until it
    is back above threshold + hysteresis. ``meter`` and ``powerwall``: each
    input's learned cadence.
    """

    chargers: Mapping[str, ChargerMemory] = field(default=_EMPTY)
    outage_holding: bool = False
    meter: Cadence = NO_CADENCE
    powerwall: Cadence = NO_CADENCE

    @classmethod
    def initial(cls) -> EngineState:
        """Return the state before any evaluation (e.g. after a restart)."""
        return cls()
