"""What the engine remembers between evaluations, as an immutable value.

The integration stores the ``EngineState`` returned in a ``Decision`` and
passes it to the next ``evaluate``; nothing else is kept anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .model import LimitReason


@dataclass(frozen=True, slots=True)
class ChargerMemory:
    """One charger's history: its last pilot and the clocks of its timing rules.

    - ``changed_at``: when ``pilot_a`` last changed (increase interval, follow
      grace).
    - ``waiting_since``: wanting current but left out since (admission order).
    - ``turn_since``: admitted since, counted only while others wait
      (rotation).
    - ``room_since``: paused, with room for 6 A since (resume delay).
    - ``below_since``: drawing clearly below its pilot since (not drawing).
    - ``cap_a`` / ``capped_at``: the not-drawing cap and when it was set.
    """

    pilot_a: int
    reason: LimitReason
    changed_at: float
    waiting_since: float | None = None
    turn_since: float | None = None
    room_since: float | None = None
    below_since: float | None = None
    cap_a: int | None = None
    capped_at: float | None = None


_EMPTY: Mapping[str, ChargerMemory] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class EngineState:
    """Everything carried from one evaluation to the next.

    ``outage_holding`` latches the battery at its charging threshold until it
    is back above threshold + hysteresis.
    """

    chargers: Mapping[str, ChargerMemory] = field(default=_EMPTY)
    outage_holding: bool = False

    @classmethod
    def initial(cls) -> EngineState:
        """Return the state before any evaluation (e.g. after a restart)."""
        return cls()
