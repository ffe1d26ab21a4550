"""One evaluation: from configuration, readings, state and ``now`` to a decision.

Safety uses what is measured. Every charger loads each of its phases with:

- Not managed: its measured current, as a fixed load (it still loads the panel
  and the group); if it cannot be read, its whole maximum.
- Unreachable (no reading, ``reachable`` false, or a reading older than
  ``charger_stale_s``): max(last pilot, new pilot), its draw being unknown.
  It is commanded the fallback fair limit, lowered to the room left if that
  is less. Its real draw is also inside the meter's "home load", so it is
  counted twice: safe, since nothing better is known.
- Anyone else (reachable and managed): max(pilot, measured current), always,
  with the pilot only on the phases its vehicle draws on: a single-phase car
  on a three-phase unit reads under 1 A on the phases it does not use while
  it draws 5 A or more on another, and is budgeted on the others at its
  measured current (which counts at once if it starts drawing there).
  A vehicle lowered a moment ago draws its old current for the 5-30 s its
  command takes (and up to the follow grace before it is flagged); a vehicle
  that is shown an allocation but never commanded draws what it likes. So
  the current freed by a decrease goes to others only once the decrease is
  measured, while the decrease itself acts at once on the pilot.

The pilots are found in two passes:

1. Sharing (``allocator.allocate``): the fair targets, in pilots, as if every
   vehicle followed its pilot; what a vehicle does not follow is counted
   here too: the whole measured current of one flagged not following (draws
   above its last pilot + tolerance after the follow grace), and the small
   excess (up to the follow tolerance) a vehicle shows over its last pilot,
   taken as a steady offset of its meter, so that such noise is planned for
   (someone lowered by 1 A) rather than leaving a vehicle below 6 A; only
   once that pilot has stood for the follow grace: just after a change the
   excess is the vehicle still on its way down (37 A read on a new 36 A
   pilot), and counting it lowered the pilot again two seconds later, a
   command for nothing (the fit below still counts max(pilot, measured)).
   The timing rules (``pacing.pace``) then hold rises back.
2. Fitting (``allocator.fit_measured``): those pilots, lowered where needed so
   that Sum max(pilot, measured) fits every phase whose measured load fits;
   holds and decreases first, rises with what is left. Where the measured
   load alone exceeds a limit (vehicles that have not reacted yet, a load
   spike) the decreases of pass 1 are all that helps: nothing on that phase
   rises, and no vehicle there is paused while lowering its pilot suffices.
   A rise cut short honours the deadband (``pacing.trim_rise``).

Vehicles asking for current are admitted at 6 A by priority, then by turn:
a vehicle keeps its place while its turn lasts (``rotation_interval_s``,
counted only while others wait), then queues behind those waiting longest.
Turns and waiting follow the targets of pass 1: a vehicle let in by rotation
may start one evaluation after the one it replaces has stopped drawing.
While a configured meter or Powerwall is stale, the level it fed is dropped
and every charger is held: its pilot never rises (one paused stays paused, a
vehicle arriving does not start) and is lowered to the stale budget if above
it. Once the input is fresh, a vehicle it held at 0 A starts at once (no
resume delay) unless it had been paused for lack of room before. The stale
budget defaults to the lowest charging current, 6 A
(``STALE_BUDGET_A``): with the meter blind the home load is unknown and may
rise by any appliance that starts meanwhile (the last trusted home load says
nothing about the dryer that starts a minute later), so no current above the
least a charging vehicle can take is defensible; 6 A keeps the vehicle
charging (no contactor cycle, no wake-up) while adding the least possible to
an unknown load. A user who knows the panel's worst-case home load may set a
higher budget (``SiteConfig.stale_budget_a``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import math
from types import MappingProxyType
from typing import Any

from .allocator import EPSILON, Demand, Grant, Request, allocate, fit_measured
from .budget import BACKED_UP_PHASE, UNLIMITED, SiteBudget, site_budget
from .decision import ChargerDecision, Decision
from .limits import MIN_CURRENT_A, fallback_limit
from .model import (
    ChargerConfig,
    ChargerReading,
    LimitReason,
    Readings,
    SiteConfig,
)
from .pacing import (
    Following,
    NotDrawing,
    Paced,
    pace,
    stale_hold_reason,
    track_following,
    track_not_drawing,
    trim_rise,
)
from .state import ChargerMemory, EngineState

STALE_BUDGET_A = MIN_CURRENT_A
"""Default stale budget per charger: the lowest charging current."""

ACTIVE_PHASE_A = 5.0
"""A vehicle drawing this much on a phase is charging (see ``_drawing_phases``)."""

IDLE_PHASE_A = 1.0
"""Below this on a phase, while charging on another, it does not use it."""


@dataclass(frozen=True, slots=True)
class _Participant:
    """A charger whose vehicle asks for current, ready for the allocator."""

    position: int
    charger: ChargerConfig
    memory: ChargerMemory | None
    demand: Demand
    cap_reason: LimitReason
    measured_a: tuple[float, ...]
    following: Following
    not_drawing: NotDrawing


@dataclass(frozen=True, slots=True)
class _Unreachable:
    """A charger that cannot be read, with its target and its last pilot."""

    charger: ChargerConfig
    memory: ChargerMemory | None
    phases: tuple[int, ...]
    target: ChargerDecision
    last_a: int


@dataclass(slots=True)
class _Ledger:
    """What one evaluation has decided so far, and the current it has committed.

    ``committed_a`` is what the sharing (pass 1) counts; ``drawn_a`` is the
    load already there for the fitting (pass 2): everything measured, and the
    reservations of units that cannot be read.
    """

    committed_a: list[float]
    drawn_a: list[float]
    decisions: dict[str, ChargerDecision] = field(default_factory=dict)
    memories: dict[str, ChargerMemory] = field(default_factory=dict)

    def record(self, decision: ChargerDecision, memory: ChargerMemory) -> None:
        """Keep a charger's decision and memory."""
        self.decisions[decision.charger_id] = decision
        self.memories[decision.charger_id] = memory

    def commit(self, reserved_a: tuple[float, ...]) -> None:
        """Count current on the site's phases for the sharing."""
        for phase, current in enumerate(reserved_a):
            self.committed_a[phase] += current

    def draw(self, drawn_a: tuple[float, ...]) -> None:
        """Count current already on the site's phases for the fitting."""
        for phase, current in enumerate(drawn_a):
            self.drawn_a[phase] += current


def evaluate(
    config: SiteConfig, readings: Readings, state: EngineState, now: float
) -> Decision:
    """Return every charger's pilot current and reason, and the site's figures."""
    by_id = {reading.charger_id: reading for reading in readings.chargers}
    measured, ev_current = _measure(config, by_id, now)
    budget = site_budget(
        config,
        readings.meter,
        readings.powerwall,
        ev_current_a=ev_current,
        outage_holding=state.outage_holding,
        now=now,
    )
    hold_capacity = _lag_credited(config, state, measured, budget.capacity_a, now)
    ledger = _Ledger([0.0] * config.phase_count, [0.0] * config.phase_count)
    participants: list[_Participant] = []
    unreachable: list[int] = []
    for position, charger in enumerate(config.chargers):
        memory = state.chargers.get(charger.charger_id)
        per_phase = measured[position]
        if not charger.managed:
            _record_unmanaged(
                charger, memory, per_phase, budget=budget, ledger=ledger, now=now
            )
        elif per_phase is None:
            unreachable.append(position)
        else:
            entry = _participant(
                config,
                position,
                memory=memory,
                reading=by_id[charger.charger_id],
                per_phase=per_phase,
                budget=budget,
                ledger=ledger,
                now=now,
            )
            if entry is not None:
                participants.append(entry)

    # Unreachable units take their room before the allocation shares the rest.
    blind: list[_Unreachable] = []
    for position in unreachable:
        charger = config.chargers[position]
        memory = state.chargers.get(charger.charger_id)
        target = _unreachable(config, charger, memory, budget, ledger.committed_a)
        ledger.commit(target.reserved_a)
        last = memory.pilot_a if memory is not None else 0
        phases = _live_phases(charger, budget)
        ledger.draw(_on_phases(phases, config.phase_count, float(last)))
        blind.append(_Unreachable(charger, memory, phases, target, last))

    _allocate(
        config,
        blind,
        participants,
        budget=budget,
        hold_capacity=hold_capacity,
        ledger=ledger,
        now=now,
    )
    return Decision(
        chargers=MappingProxyType(
            {
                charger.charger_id: ledger.decisions[charger.charger_id]
                for charger in config.chargers
            }
        ),
        network_current_a=ev_current,
        available_current_a=tuple(
            None if capacity == UNLIMITED else capacity
            for capacity in budget.capacity_a
        ),
        panel_headroom_a=budget.panel_headroom_a,
        home_load_a=budget.home_load_a,
        outage_power_w=budget.outage_power_w,
        stale_inputs=budget.stale_inputs,
        state=EngineState(
            chargers=MappingProxyType(ledger.memories),
            outage_holding=budget.outage_holding,
        ),
    )


def _measure(
    config: SiteConfig, by_id: dict[str, ChargerReading], now: float
) -> tuple[list[tuple[float, ...] | None], tuple[float, ...]]:
    """Return each charger's current per site phase (None: unreachable) and the sum."""
    measured: list[tuple[float, ...] | None] = []
    ev_current = [0.0] * config.phase_count
    for charger in config.chargers:
        reading = by_id.get(charger.charger_id)
        if (
            reading is None
            or not reading.reachable
            or now - reading.at > config.timing.charger_stale_s
        ):
            measured.append(None)
            continue
        per_phase = _measured_per_phase(charger, reading, config.phase_count)
        measured.append(per_phase)
        for phase in charger.phases:
            ev_current[phase] += per_phase[phase]
    return measured, tuple(ev_current)


def _record_unmanaged(
    charger: ChargerConfig,
    memory: ChargerMemory | None,
    per_phase: tuple[float, ...] | None,
    *,
    budget: SiteBudget,
    ledger: _Ledger,
    now: float,
) -> None:
    """Count a unit we cannot command at its draw (its maximum if unreadable)."""
    if per_phase is None:
        per_phase = _on_phases(
            _live_phases(charger, budget),
            len(ledger.committed_a),
            float(charger.max_current_a),
        )
    ledger.commit(per_phase)
    ledger.draw(per_phase)
    ledger.record(
        _idle(charger, LimitReason.NOT_MANAGED, per_phase),
        _remember(memory, 0, LimitReason.NOT_MANAGED, now),
    )


def _participant(
    config: SiteConfig,
    position: int,
    *,
    memory: ChargerMemory | None,
    reading: ChargerReading,
    per_phase: tuple[float, ...],
    budget: SiteBudget,
    ledger: _Ledger,
    now: float,
) -> _Participant | None:
    """Prepare a reachable managed charger, or record it idle if it asks nothing."""
    charger = config.chargers[position]
    timing = config.timing
    drawn = max(per_phase[phase] for phase in charger.phases)
    following = track_following(memory, drawn, now, timing)
    not_following = following.not_following
    floor = per_phase if not_following else (0.0,) * config.phase_count
    ledger.commit(floor)
    if (
        memory is not None
        and not not_following
        and now - memory.changed_at >= timing.follow_grace_s
    ):
        # Reading a little above its pilot: a steady offset, planned for
        # (not just after a change: it has yet to follow its new pilot).
        ledger.commit(
            tuple(
                excess if 0.0 < excess <= timing.follow_tolerance_a else 0.0
                for excess in (current - memory.pilot_a for current in per_phase)
            )
        )
    ledger.draw(per_phase)
    phases = _drawing_phases(charger, per_phase, _live_phases(charger, budget))
    if not not_following:
        # Its draw on a phase it is not budgeted on counts as it is.
        ledger.commit(
            tuple(
                0.0 if phase in phases else current
                for phase, current in enumerate(per_phase)
            )
        )
    cap, cap_reason = _static_cap(config, charger, memory, budget)
    idle_reason = None
    if not charger.enabled:
        idle_reason = LimitReason.DISABLED
    elif not (reading.vehicle_connected and reading.vehicle_wants_current):
        idle_reason = LimitReason.NO_VEHICLE
    elif not phases:
        idle_reason = budget.reasons[charger.phases[0]]
    elif not_following and memory is not None and MIN_CURRENT_A <= memory.pilot_a < cap:
        # Held while not following: a rise is a command it would ignore.
        cap, cap_reason = memory.pilot_a, memory.reason
    if idle_reason is None and cap < MIN_CURRENT_A:
        idle_reason = cap_reason
    if idle_reason is not None:
        remembered = idle_reason
        if idle_reason is LimitReason.STALE_INPUT:
            remembered = stale_hold_reason(memory)
        ledger.record(
            _idle(charger, idle_reason, per_phase, not_following=not_following),
            replace(_remember(memory, 0, remembered, now), **_latch(following)),
        )
        return None
    not_drawing = track_not_drawing(memory, drawn, now, timing)
    if not_drawing.cap_a is not None and not_drawing.cap_a < cap:
        cap, cap_reason = not_drawing.cap_a, LimitReason.VEHICLE_NOT_DRAWING
    return _Participant(
        position=position,
        charger=charger,
        memory=memory,
        demand=Demand(phases, cap, tuple(floor[phase] for phase in phases)),
        cap_reason=cap_reason,
        measured_a=per_phase,
        following=following,
        not_drawing=not_drawing,
    )


def _allocate(
    config: SiteConfig,
    blind: list[_Unreachable],
    participants: list[_Participant],
    *,
    budget: SiteBudget,
    hold_capacity: tuple[float, ...],
    ledger: _Ledger,
    now: float,
) -> None:
    """Share, pace, fit to the measured load and record every commanded charger."""
    timing = config.timing
    participants.sort(
        key=lambda entry: _admission_key(entry, now, timing.rotation_interval_s)
    )
    grants = allocate(
        hold_capacity,
        ledger.committed_a,
        [entry.demand for entry in participants],
    )
    paced: list[Paced] = []
    for entry, grant in zip(participants, grants, strict=True):
        if grant.limited_by is None:
            reason = entry.cap_reason
        elif grant.pilot_a == 0 and not grant.starved:
            reason = LimitReason.WAITING_FOR_6A
        else:
            reason = budget.reasons[grant.limited_by]
        paced.append(
            pace(
                entry.memory,
                grant.pilot_a,
                reason,
                cap_a=entry.demand.cap_a,
                now=now,
                timing=timing,
            )
        )
    fitted = fit_measured(
        hold_capacity,
        ledger.drawn_a,
        [
            Request(
                unit.phases,
                unit.target.pilot_a,
                (float(unit.last_a),) * len(unit.phases),
                unit.last_a,
            )
            for unit in blind
        ]
        + [
            Request(
                entry.demand.phases,
                step.pilot_a,
                tuple(entry.measured_a[phase] for phase in entry.demand.phases),
                entry.memory.pilot_a if entry.memory is not None else None,
            )
            for entry, step in zip(participants, paced, strict=True)
        ],
        timing.follow_tolerance_a,
        budget.capacity_a,
    )
    for unit, fit in zip(blind, fitted[: len(blind)], strict=True):
        pilot = fit.pilot_a
        decision = replace(
            unit.target,
            pilot_a=pilot,
            reserved_a=_on_phases(
                unit.phases, config.phase_count, float(max(unit.last_a, pilot))
            ),
        )
        ledger.record(decision, _remember(unit.memory, pilot, decision.reason, now))
    anyone_waiting = any(grant.pilot_a == 0 for grant in grants)
    for entry, grant, step, fit in zip(
        participants, grants, paced, fitted[len(blind) :], strict=True
    ):
        _record_participant(
            config,
            entry,
            grant=grant,
            paced=step,
            fit=fit,
            budget=budget,
            ledger=ledger,
            now=now,
            anyone_waiting=anyone_waiting,
        )


def _record_participant(
    config: SiteConfig,
    entry: _Participant,
    *,
    grant: Grant,
    paced: Paced,
    fit: Grant,
    budget: SiteBudget,
    ledger: _Ledger,
    now: float,
    anyone_waiting: bool,
) -> None:
    """Record a charger's pilot after the fit to the measured load, and its clocks."""
    timing = config.timing
    memory = entry.memory
    pilot = trim_rise(memory, fit.pilot_a, paced, timing)
    reason = paced.reason
    if pilot < paced.pilot_a:
        # Held below its target until the current it needs is measured free.
        assert fit.limited_by is not None
        reason = budget.reasons[fit.limited_by] if pilot else LimitReason.WAITING_FOR_6A
    reserved = list(entry.measured_a)
    for phase in entry.demand.phases:
        reserved[phase] = max(reserved[phase], float(pilot))
    waiting_since = turn_since = None
    if grant.pilot_a == 0:
        waiting_since = _kept(memory.waiting_since if memory else None, now)
    elif anyone_waiting and _turn_running(memory, now, timing.rotation_interval_s):
        turn_since = memory.turn_since if memory else None
    else:
        # A turn only runs while someone waits; admitted again, a new one starts.
        turn_since = now
    ledger.record(
        ChargerDecision(
            charger_id=entry.charger.charger_id,
            pilot_a=pilot,
            reason=reason,
            target_a=grant.pilot_a,
            max_current_a=entry.charger.max_current_a,
            reserved_a=tuple(reserved),
            not_following=entry.following.not_following,
        ),
        ChargerMemory(
            pilot_a=pilot,
            reason=reason,
            changed_at=_changed_at(memory, pilot, now),
            waiting_since=waiting_since,
            turn_since=turn_since,
            room_since=paced.room_since if pilot == 0 else None,
            rise_since=_rise_since(memory, pilot, grant.pilot_a, paced, now),
            **_rise(memory, pilot, budget, now),
            **_fall(memory, pilot, entry.measured_a, budget, now),
            below_since=entry.not_drawing.below_since,
            cap_a=entry.not_drawing.cap_a,
            capped_at=entry.not_drawing.capped_at,
            **_latch(entry.following),
        ),
    )


def _measured_per_phase(
    charger: ChargerConfig, reading: ChargerReading, phase_count: int
) -> tuple[float, ...]:
    """Spread a reading's currents onto site phases (missing values: the highest)."""
    values = reading.current_a
    highest = max(values, default=0.0)
    per_phase = [0.0] * phase_count
    for offset, phase in enumerate(charger.phases):
        value = values[offset] if offset < len(values) else highest
        per_phase[phase] = max(value, 0.0)
    return tuple(per_phase)


def _on_phases(
    phases: tuple[int, ...], phase_count: int, current_a: float
) -> tuple[float, ...]:
    """Return ``current_a`` on each of ``phases``, 0 elsewhere."""
    return tuple(current_a if phase in phases else 0.0 for phase in range(phase_count))


def _drawing_phases(
    charger: ChargerConfig, per_phase: tuple[float, ...], live: tuple[int, ...]
) -> tuple[int, ...]:
    """Return the live phases its pilot is budgeted on: those its vehicle uses.

    A vehicle charging (``ACTIVE_PHASE_A`` or more on one phase) that reads
    under ``IDLE_PHASE_A`` on another does not use that one (a single-phase
    car on a three-phase unit): its pilot is not reserved there, only its
    measured current, which counts at once if it starts drawing there.
    Otherwise (not charging yet, or paused) every live phase.
    """
    if max((per_phase[phase] for phase in live), default=0.0) < ACTIVE_PHASE_A:
        return live
    return tuple(phase for phase in live if per_phase[phase] >= IDLE_PHASE_A)


def _live_phases(charger: ChargerConfig, budget: SiteBudget) -> tuple[int, ...]:
    """Return the charger's phases with power: in an outage only L1 is backed up."""
    if budget.outage_active:
        return tuple(phase for phase in charger.phases if phase == BACKED_UP_PHASE)
    return charger.phases


def site_fallback_limit(config: SiteConfig, charger: ChargerConfig) -> int:
    """Return the fallback fair limit: the group's (else panel's) limit shared."""
    if config.network_limit_a is not None:
        shared = config.network_limit_a
    elif config.panel_limit_a is not None:
        shared = config.panel_limit_a - config.panel_margin_a
    else:
        return charger.max_current_a
    return fallback_limit(shared, len(config.chargers), charger.max_current_a)


def _static_cap(
    config: SiteConfig,
    charger: ChargerConfig,
    memory: ChargerMemory | None,
    budget: SiteBudget,
) -> tuple[int, LimitReason]:
    """Return the charger's own cap: power level, or the stale hold if stale.

    While a site input is stale the cap is min(last pilot, stale budget): a
    stale input never raises a pilot (a vehicle paused stays paused), and
    lowers it to the stale budget (default: the lowest charging current).
    After a restart, with no last pilot known, the stale budget alone.
    """
    if budget.stale_inputs:
        stale_cap = (
            STALE_BUDGET_A if config.stale_budget_a is None else config.stale_budget_a
        )
        if memory is not None:
            stale_cap = min(stale_cap, memory.pilot_a)
        if stale_cap < charger.max_current_a:
            return stale_cap, LimitReason.STALE_INPUT
    return charger.max_current_a, LimitReason.POWER_LEVEL


def _unreachable(
    config: SiteConfig,
    charger: ChargerConfig,
    memory: ChargerMemory | None,
    budget: SiteBudget,
    committed: list[float],
) -> ChargerDecision:
    """Command the fallback limit (within the room left) and reserve for it."""
    phases = _live_phases(charger, budget)
    pilot = 0
    reason = LimitReason.DISABLED
    if charger.enabled:
        reason = LimitReason.FALLBACK_UNREACHABLE
        if phases:
            room = min(budget.capacity_a[phase] - committed[phase] for phase in phases)
            cap, _ = _static_cap(config, charger, memory, budget)
            pilot = min(site_fallback_limit(config, charger), cap)
            if room < pilot:
                pilot = math.floor(room + EPSILON)
            if pilot < MIN_CURRENT_A:
                pilot = 0
    last = memory.pilot_a if memory is not None else 0
    return ChargerDecision(
        charger_id=charger.charger_id,
        pilot_a=pilot,
        reason=reason,
        target_a=pilot,
        max_current_a=charger.max_current_a,
        reserved_a=_on_phases(phases, len(committed), float(max(last, pilot))),
    )


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


def _admission_key(
    entry: _Participant, now: float, rotation_interval_s: float
) -> tuple[int, int, float, int]:
    """Priority first; then a running turn; then longest waiting; then config order."""
    memory = entry.memory
    if memory is not None and _turn_running(memory, now, rotation_interval_s):
        return (-entry.charger.priority, 0, memory.turn_since or 0.0, entry.position)
    waiting_since = memory.waiting_since if memory is not None else None
    since = now if waiting_since is None else waiting_since
    return (-entry.charger.priority, 1, since, entry.position)


def _turn_running(
    memory: ChargerMemory | None, now: float, rotation_interval_s: float
) -> bool:
    """Whether the charger is admitted in a turn that has not run out."""
    return (
        memory is not None
        and memory.turn_since is not None
        and now - memory.turn_since < rotation_interval_s
    )


def _kept(since: float | None, now: float) -> float:
    return now if since is None else since


def _changed_at(memory: ChargerMemory | None, pilot_a: int, now: float) -> float:
    if memory is None or memory.pilot_a != pilot_a:
        return now
    return memory.changed_at


def _lag_credited(
    config: SiteConfig,
    state: EngineState,
    measured: list[tuple[float, ...] | None],
    capacity_a: tuple[float, ...],
    now: float,
) -> tuple[float, ...]:
    """Return the capacity that holds and decreases fit: the lag credited.

    The meter (or Powerwall) sees a vehicle's new draw at once, its Wall
    Connector up to a poll later; until then home load = grid - measured EV
    current counts the new draw twice, and the vehicle just raised (or
    resumed) looks like an overload of its own making: it would be lowered
    (paused, then held back by the resume delay, then resumed: a loop).
    For a vehicle whose pilot rose within ``lag_window_s``, what the
    capacity has lost since the rise, up to the part of its pilot its unit
    does not show yet, is given back, for holds and decreases only: rises
    fit the capacity as measured, so current a vehicle has not been seen to
    draw is never handed to another. A home load that really rose in that
    window (and not the vehicle) is under-estimated by at most the unseen
    rise, for at most the window.

    A fall is the mirror image when the meter reports late (a delayed or
    slow meter, a fast poll): the unit shows the vehicle's lower draw while
    the meter still holds the old one, so the home load looks higher by
    the fall, and the others would be lowered or paused for the current
    just freed (a rotation's outgoing vehicle pausing another, then the
    resume delay). For a vehicle whose pilot fell within the window, what
    the capacity has lost since the fall, up to how far its measured draw
    fell since, is given back too, for holds and decreases only, with the
    same bound. Where the meter shows the fall first nothing is lost and
    nothing is credited.
    """
    count = config.phase_count
    unseen = [0.0] * count
    baseline = [math.inf] * count
    window = config.timing.lag_window_s
    for charger, per_phase in zip(config.chargers, measured, strict=True):
        memory = state.chargers.get(charger.charger_id)
        if not charger.managed or per_phase is None or memory is None:
            continue
        if (
            memory.rose_at is not None
            and memory.capacity_at_rise is not None
            and len(memory.capacity_at_rise) == count
            and now - memory.rose_at <= window
        ):
            expected = min(memory.pilot_a, charger.max_current_a)
            for phase in _drawing_phases(charger, per_phase, charger.phases):
                unseen[phase] += max(expected - per_phase[phase], 0.0)
                baseline[phase] = min(baseline[phase], memory.capacity_at_rise[phase])
        if (
            memory.fell_at is not None
            and memory.capacity_at_fall is not None
            and memory.drawn_at_fall is not None
            and len(memory.capacity_at_fall) == count
            and len(memory.drawn_at_fall) == count
            and now - memory.fell_at <= window
        ):
            for phase in charger.phases:
                unseen[phase] += max(
                    memory.drawn_at_fall[phase] - per_phase[phase], 0.0
                )
                baseline[phase] = min(baseline[phase], memory.capacity_at_fall[phase])
    return tuple(
        capacity + min(unseen[phase], max(baseline[phase] - capacity, 0.0))
        if math.isfinite(baseline[phase]) and math.isfinite(capacity)
        else capacity
        for phase, capacity in enumerate(capacity_a)
    )


def _rise(
    memory: ChargerMemory | None, pilot_a: int, budget: SiteBudget, now: float
) -> dict[str, Any]:
    """Remember when a pilot rose and the capacity then (the lag credit)."""
    if pilot_a > (memory.pilot_a if memory is not None else 0):
        return {"rose_at": now, "capacity_at_rise": budget.capacity_a}
    if memory is None:
        return {}
    return {"rose_at": memory.rose_at, "capacity_at_rise": memory.capacity_at_rise}


def _fall(
    memory: ChargerMemory | None,
    pilot_a: int,
    measured_a: tuple[float, ...],
    budget: SiteBudget,
    now: float,
) -> dict[str, Any]:
    """Remember when a pilot fell, the capacity and its draw then (lag credit)."""
    if memory is None:
        return {}
    if pilot_a < memory.pilot_a:
        return {
            "fell_at": now,
            "capacity_at_fall": budget.capacity_a,
            "drawn_at_fall": measured_a,
        }
    return {
        "fell_at": memory.fell_at,
        "capacity_at_fall": memory.capacity_at_fall,
        "drawn_at_fall": memory.drawn_at_fall,
    }


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


def _latch(following: Following) -> dict[str, Any]:
    """Return the not-following latch as ``ChargerMemory`` fields."""
    return {
        "over_since": following.over_since,
        "not_following": following.not_following,
        "following_since": following.following_since,
    }


def _remember(
    memory: ChargerMemory | None, pilot_a: int, reason: LimitReason, now: float
) -> ChargerMemory:
    """Memory of a charger outside the allocation: only its pilot and reason."""
    return ChargerMemory(pilot_a, reason, _changed_at(memory, pilot_a, now))
