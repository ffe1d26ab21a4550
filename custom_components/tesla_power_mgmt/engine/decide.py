"""Last step of an evaluation: each charger's decision and its next memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .allocator import Grant
from .budget import UNLIMITED, SiteBudget, within_outage
from .cadence import Cadence
from .classify import Asking, Idle, Kind, Unmanaged, on_phases
from .decision import ChargerDecision, Decision
from .lag import next_lag
from .limits import MIN_CURRENT_A
from .load import Fallback, car_unknown
from .model import ChargerConfig, LimitReason, SiteConfig, Timing
from .pacing import Paced, trim_rise
from .rotation import next_queue
from .state import NO_CLOCKS, ChargerMemory, Clocks, EngineState

Decided = tuple[ChargerDecision, ChargerMemory]


def assemble(
    config: SiteConfig,
    decided: dict[str, Decided],
    ev_current: tuple[float, ...],
    budget: SiteBudget,
    circuits: Mapping[str, tuple[float, ...]],
    *,
    cadences: tuple[Cadence, Cadence],
) -> Decision:
    """Assemble the decision in configuration order, with the site's figures."""
    ids = [charger.charger_id for charger in config.chargers]
    available = budget.capacity_a
    if budget.outage_power_w is not None:
        available = within_outage(
            available, budget.live_phases, budget.outage_power_w, config
        )
    return Decision(
        chargers=MappingProxyType({i: decided[i][0] for i in ids}),
        network_current_a=ev_current,
        available_current_a=tuple(
            None if capacity == UNLIMITED else capacity for capacity in available
        ),
        circuit_current_a=MappingProxyType(dict(circuits)),
        panel_headroom_a=budget.panel_headroom_a,
        home_load_a=budget.home_load_a,
        outage_power_w=budget.outage_power_w,
        stale_inputs=budget.stale_inputs,
        state=EngineState(
            chargers=MappingProxyType({i: decided[i][1] for i in ids}),
            outage_holding=budget.outage_holding,
            meter=cadences[0],
            powerwall=cadences[1],
        ),
    )


def decide_others(
    kinds: Sequence[Kind],
    blind: Sequence[Fallback],
    fitted: Sequence[Grant],
    config: SiteConfig,
    now: float,
) -> dict[str, Decided]:
    """Decide the chargers not in the sharing: unmanaged, idle, unreachable."""
    decided: dict[str, Decided] = {}
    for kind in kinds:
        if isinstance(kind, Unmanaged):
            decided[kind.charger.charger_id] = decide_unmanaged(kind, now)
        elif isinstance(kind, Idle):
            decided[kind.charger.charger_id] = decide_idle(kind, now)
    for fallback, fit in zip(blind, fitted, strict=True):
        decided[fallback.unit.charger.charger_id] = decide_fallback(
            fallback, fit, config.phase_count, now
        )
    return decided


def decide_unmanaged(kind: Unmanaged, now: float) -> Decided:
    """Nothing to command; its load is shown as reserved."""
    return (
        _idle(kind.charger, LimitReason.NOT_MANAGED, kind.load_a),
        _remember(kind.memory, 0, LimitReason.NOT_MANAGED, now),
    )


def decide_idle(kind: Idle, now: float) -> Decided:
    """0 A for its reason; only its pilot, reason and following latch are kept."""
    memory = kind.memory
    return (
        _idle(
            kind.charger,
            kind.reason,
            kind.measured_a,
            not_following=kind.following.not_following,
        ),
        ChargerMemory(
            0,
            kind.remembered,
            _changed_at(memory, 0, now),
            following=kind.following,
        ),
    )


def decide_fallback(
    fallback: Fallback, fit: Grant, phase_count: int, now: float
) -> Decided:
    """Return the fallback pilot as fitted, reserved at max(last pilot, pilot)."""
    unit = fallback.unit
    pilot = fit.pilot_a
    decision = ChargerDecision(
        charger_id=unit.charger.charger_id,
        pilot_a=pilot,
        reason=fallback.reason,
        target_a=fallback.pilot_a,
        max_current_a=unit.charger.max_current_a,
        reserved_a=on_phases(unit.phases, phase_count, float(max(unit.last_a, pilot))),
    )
    # Blind, nothing says a car came: the memory keeps "no vehicle".
    remembered = LimitReason.NO_VEHICLE if car_unknown(unit) else fallback.reason
    return decision, _remember(unit.memory, pilot, remembered, now)


def decide_asking(
    entry: Asking,
    grant: Grant,
    paced: Paced,
    fit: Grant,
    *,
    capacity_a: tuple[float, ...],
    reasons: tuple[LimitReason, ...],
    timing: Timing,
    now: float,
) -> Decided:
    """Return the pilot after the fit to what is measured, and each rule's record."""
    memory = entry.memory
    pilot = trim_rise(memory, fit.pilot_a, paced, timing)
    reason = paced.reason
    if pilot < paced.pilot_a:
        # Held below its target until the current it needs is measured free.
        assert fit.limited_by is not None
        reason = reasons[fit.limited_by] if pilot else LimitReason.WAITING_FOR_6A
    reserved = list(entry.measured_a)
    for phase in entry.demand.phases:
        reserved[phase] = max(reserved[phase], float(pilot))
    decision = ChargerDecision(
        charger_id=entry.charger.charger_id,
        pilot_a=pilot,
        reason=reason,
        target_a=grant.pilot_a,
        max_current_a=entry.charger.max_current_a,
        reserved_a=tuple(reserved),
        not_following=entry.following.not_following,
        increase_at=paced.increase_at if reason is paced.reason else None,
    )
    queue = next_queue(memory, grant.pilot_a > 0, now, timing.rotation_interval_s)
    room_since = paced.room_since if pilot == 0 else None
    rise_since = _rise_since(memory, pilot, grant.pilot_a, paced, now)
    clocks = NO_CLOCKS
    if room_since is not None or rise_since is not None:
        clocks = Clocks(room_since, rise_since)
    return decision, ChargerMemory(
        pilot_a=pilot,
        reason=reason,
        changed_at=_changed_at(memory, pilot, now),
        queue=queue,
        clocks=clocks,
        following=entry.following,
        not_drawing=entry.not_drawing,
        lag=next_lag(memory, pilot, capacity_a, entry.measured_a, now),
    )


def _rise_since(
    memory: ChargerMemory | None,
    pilot_a: int,
    target_a: int,
    paced: Paced,
    now: float,
) -> float | None:
    """Since when a running vehicle's target has been above its pilot."""
    if pilot_a < MIN_CURRENT_A or target_a <= pilot_a:
        return None
    if memory is not None and pilot_a == memory.pilot_a:
        return paced.rise_since if paced.rise_since is not None else now
    return now


def _idle(
    charger: ChargerConfig,
    reason: LimitReason,
    reserved: tuple[float, ...],
    *,
    not_following: bool = False,
) -> ChargerDecision:
    """Return the decision for a charger given nothing; ``reserved`` it still draws."""
    return ChargerDecision(
        charger_id=charger.charger_id,
        pilot_a=0,
        reason=reason,
        target_a=0,
        max_current_a=charger.max_current_a,
        reserved_a=reserved,
        not_following=not_following,
    )


def _changed_at(memory: ChargerMemory | None, pilot_a: int, now: float) -> float:
    if memory is None or memory.pilot_a != pilot_a:
        return now
    return memory.changed_at


def _remember(
    memory: ChargerMemory | None, pilot_a: int, reason: LimitReason, now: float
) -> ChargerMemory:
    """Memory of a charger outside the allocation: only its pilot and reason."""
    return ChargerMemory(pilot_a, reason, _changed_at(memory, pilot_a, now))
