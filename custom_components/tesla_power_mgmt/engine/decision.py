"""What the engine answers: a pilot per charger, why, and the site's figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import LimitReason, SiteInput
from .state import EngineState


@dataclass(frozen=True, slots=True)
class ChargerDecision:
    """The pilot current for one charger and what explains it.

    - ``pilot_a``: whole amps to command, 0 (pause) or 6 up to ``max_current_a``.
      With reason ``no_vehicle`` or ``not_managed`` there is nothing to command.
    - ``target_a``: what the allocation gives now, before the timing rules hold
      an increase or a resume back.
    - ``max_current_a``: the charger's allowed maximum (power level, breaker,
      nameplate).
    - ``reserved_a``: current counted for it on each site phase: its pilot, its
      measured current if it does not follow or is not managed, or the
      reservation of an unreachable unit.
    - ``not_following``: the vehicle draws more than its pilot.
    """

    charger_id: str
    pilot_a: int
    reason: LimitReason
    target_a: int
    max_current_a: int
    reserved_a: tuple[float, ...]
    not_following: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of one evaluation, per charger and for the site.

    Per-phase tuples have one entry per site phase. ``None`` means the figure
    does not apply (no meter, no limit, not in an outage).

    - ``network_current_a``: measured EV current of all reachable chargers.
    - ``available_current_a``: the most all EVs together may draw (the
      tightest of network limit, panel headroom and outage budget).
    - ``panel_headroom_a``: panel limit - safety margin - home load.
    - ``home_load_a``: grid current minus measured EV current (negative when
      exporting).
    - ``outage_power_w``: power the Powerwall can give the vehicles now.
    - ``stale_inputs``: configured site inputs too old to trust.
    - ``state``: pass it to the next ``evaluate``.
    """

    chargers: Mapping[str, ChargerDecision]
    network_current_a: tuple[float, ...]
    available_current_a: tuple[float | None, ...]
    panel_headroom_a: tuple[float, ...] | None
    home_load_a: tuple[float, ...] | None
    outage_power_w: float | None
    stale_inputs: frozenset[SiteInput]
    state: EngineState
