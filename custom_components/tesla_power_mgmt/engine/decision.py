"""What the engine answers: a pilot per charger, why, and the site's figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .model import LimitReason, SiteInput
from .state import EngineState


@dataclass(frozen=True, slots=True)
class ChargerDecision:
    """The pilot current for one charger and what explains it (docs/engine.md)."""

    charger_id: str
    pilot_a: int  # to command: 0 (pause) or 6 up to max_current_a
    reason: LimitReason
    target_a: int  # what the sharing gives, before pacing and the fit
    max_current_a: int  # power level, breaker, nameplate
    reserved_a: tuple[float, ...]  # counted for it on each site phase
    not_following: bool = False  # draws above pilot + tolerance after the grace
    increase_at: float | None = None  # when a rise (or resume) held back may come


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of one evaluation, per charger and for the site.

    Per-phase tuples have one entry per site phase; ``None``: the figure does
    not apply (no meter, no limit, not in an outage). See docs/engine.md.
    """

    chargers: Mapping[str, ChargerDecision]
    network_current_a: tuple[float, ...]  # measured EV current, readable units
    available_current_a: tuple[float | None, ...]  # the tightest level
    panel_headroom_a: tuple[float, ...] | None  # panel - margin - home load
    home_load_a: tuple[float, ...] | None  # grid current - measured EV current
    outage_power_w: float | None  # what the Powerwall can give the vehicles
    stale_inputs: frozenset[SiteInput]
    state: EngineState  # pass it to the next evaluate
    # Measured EV current behind each circuit, per site phase.
    circuit_current_a: Mapping[str, tuple[float, ...]] = field(
        default=MappingProxyType({})
    )
