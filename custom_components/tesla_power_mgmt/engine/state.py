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
    - ``room_since``: paused, with room for 6 A since (resume delay). A
      vehicle cleared to start but held at 0 A until the current it needs is
      measured free keeps a clock already past the delay.
    - ``below_since``: drawing clearly below its pilot since (not drawing).
    - ``cap_a`` / ``capped_at``: the not-drawing cap and when it was set.
    - ``rise_since``: its target above its pilot since (small rises).
    - ``rose_at`` / ``capacity_at_rise``: when its pilot last rose, and the
      site's EV capacity per phase then (the measurement-lag credit).
    - ``fell_at`` / ``capacity_at_fall`` / ``drawn_at_fall``: when its pilot
      last fell, the capacity then and its measured current per site phase
      then (the same credit for a fall its unit shows before the meter).
    - ``over_since``, ``not_following``, ``following_since``: the
      not-following latch (``pacing.Following``).
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
    over_since: float | None = None
    not_following: bool = False
    following_since: float | None = None
    rise_since: float | None = None
    rose_at: float | None = None
    capacity_at_rise: tuple[float, ...] | None = None
    fell_at: float | None = None
    capacity_at_fall: tuple[float, ...] | None = None
    drawn_at_fall: tuple[float, ...] | None = None


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
