"""One evaluation: from configuration, readings, state and ``now`` to a decision.

How each charger is counted against the site's budget (per phase):

- Not managed: its measured current, as a fixed load (it still loads the panel
  and the group); if it cannot be read, its whole maximum.
- Unreachable (no reading, ``reachable`` false, or a reading older than
  ``charger_stale_s``): commanded the fallback fair limit, lowered to the room
  left if that is less, and reserved max(last pilot, new pilot). Its real
  draw is also inside the meter's "home load", so it is counted twice: safe,
  since nothing better is known.
- Not following (draws above its last pilot + tolerance after the follow
  grace): its measured current is counted whatever pilot it is given.
- Anyone else: its pilot.

Vehicles asking for current are admitted at 6 A by priority, then by turn:
a vehicle keeps its place while its turn lasts (``rotation_interval_s``,
counted only while others wait), then queues behind those waiting longest.
While a configured meter or Powerwall is stale, every charger is capped at
the stale budget (the fallback fair limit unless configured) and the level it
fed is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from types import MappingProxyType

from .allocator import EPSILON, Demand, allocate
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
from .pacing import NotDrawing, is_not_following, pace, track_not_drawing
from .state import ChargerMemory, EngineState


@dataclass(frozen=True, slots=True)
class _Participant:
    """A charger whose vehicle asks for current, ready for the allocator."""

    position: int
    charger: ChargerConfig
    memory: ChargerMemory | None
    demand: Demand
    cap_reason: LimitReason
    floor_a: tuple[float, ...]
    not_following: bool
    not_drawing: NotDrawing


@dataclass(slots=True)
class _Ledger:
    """What one evaluation has decided so far, and the current it has committed."""

    committed_a: list[float]
    decisions: dict[str, ChargerDecision] = field(default_factory=dict)
    memories: dict[str, ChargerMemory] = field(default_factory=dict)

    def record(self, decision: ChargerDecision, memory: ChargerMemory) -> None:
        """Keep a charger's decision and memory."""
        self.decisions[decision.charger_id] = decision
        self.memories[decision.charger_id] = memory

    def commit(self, reserved_a: tuple[float, ...]) -> None:
        """Count current on the site's phases."""
        for phase, current in enumerate(reserved_a):
            self.committed_a[phase] += current


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
    ledger = _Ledger([0.0] * config.phase_count)
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
    for position in unreachable:
        charger = config.chargers[position]
        memory = state.chargers.get(charger.charger_id)
        decision = _unreachable(config, charger, memory, budget, ledger.committed_a)
        ledger.commit(decision.reserved_a)
        ledger.record(
            decision, _remember(memory, decision.pilot_a, decision.reason, now)
        )

    _allocate(config, participants, budget, ledger, now)
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
    drawn = max(per_phase[phase] for phase in charger.phases)
    not_following = is_not_following(memory, drawn, now, config.timing)
    floor = per_phase if not_following else (0.0,) * config.phase_count
    ledger.commit(floor)
    phases = _live_phases(charger, budget)
    cap, cap_reason = _static_cap(config, charger, budget)
    idle_reason = None
    if not charger.enabled:
        idle_reason = LimitReason.DISABLED
    elif not (reading.vehicle_connected and reading.vehicle_wants_current):
        idle_reason = LimitReason.NO_VEHICLE
    elif not phases:
        idle_reason = budget.reasons[charger.phases[0]]
    elif cap < MIN_CURRENT_A:
        idle_reason = cap_reason
    if idle_reason is not None:
        ledger.record(
            _idle(charger, idle_reason, floor, not_following=not_following),
            _remember(memory, 0, idle_reason, now),
        )
        return None
    not_drawing = track_not_drawing(memory, drawn, now, config.timing)
    if not_drawing.cap_a is not None and not_drawing.cap_a < cap:
        cap, cap_reason = not_drawing.cap_a, LimitReason.VEHICLE_NOT_DRAWING
    return _Participant(
        position=position,
        charger=charger,
        memory=memory,
        demand=Demand(phases, cap, tuple(floor[phase] for phase in phases)),
        cap_reason=cap_reason,
        floor_a=floor,
        not_following=not_following,
        not_drawing=not_drawing,
    )


def _allocate(
    config: SiteConfig,
    participants: list[_Participant],
    budget: SiteBudget,
    ledger: _Ledger,
    now: float,
) -> None:
    """Admit, share, pace and record the chargers whose vehicles ask for current."""
    timing = config.timing
    participants.sort(
        key=lambda entry: _admission_key(entry, now, timing.rotation_interval_s)
    )
    grants = allocate(
        budget.capacity_a,
        ledger.committed_a,
        [entry.demand for entry in participants],
    )
    anyone_waiting = any(grant.pilot_a == 0 for grant in grants)
    for entry, grant in zip(participants, grants, strict=True):
        memory = entry.memory
        if grant.limited_by is None:
            reason = entry.cap_reason
        elif grant.pilot_a == 0 and not grant.starved:
            reason = LimitReason.WAITING_FOR_6A
        else:
            reason = budget.reasons[grant.limited_by]
        paced = pace(
            memory,
            grant.pilot_a,
            reason,
            cap_a=entry.demand.cap_a,
            now=now,
            timing=timing,
        )
        reserved = list(entry.floor_a)
        for phase in entry.demand.phases:
            reserved[phase] = max(reserved[phase], float(paced.pilot_a))
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
                pilot_a=paced.pilot_a,
                reason=paced.reason,
                target_a=grant.pilot_a,
                max_current_a=entry.charger.max_current_a,
                reserved_a=tuple(reserved),
                not_following=entry.not_following,
            ),
            ChargerMemory(
                pilot_a=paced.pilot_a,
                reason=paced.reason,
                changed_at=_changed_at(memory, paced.pilot_a, now),
                waiting_since=waiting_since,
                turn_since=turn_since,
                room_since=paced.room_since,
                below_since=entry.not_drawing.below_since,
                cap_a=entry.not_drawing.cap_a,
                capped_at=entry.not_drawing.capped_at,
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


def _live_phases(charger: ChargerConfig, budget: SiteBudget) -> tuple[int, ...]:
    """Return the charger's phases with power: in an outage only L1 is backed up."""
    if budget.outage_active:
        return tuple(phase for phase in charger.phases if phase == BACKED_UP_PHASE)
    return charger.phases


def _fallback(config: SiteConfig, charger: ChargerConfig) -> int:
    """Return the fallback fair limit: the group's (else panel's) limit shared."""
    if config.network_limit_a is not None:
        shared = config.network_limit_a
    elif config.panel_limit_a is not None:
        shared = config.panel_limit_a - config.panel_margin_a
    else:
        return charger.max_current_a
    return fallback_limit(shared, len(config.chargers), charger.max_current_a)


def _static_cap(
    config: SiteConfig, charger: ChargerConfig, budget: SiteBudget
) -> tuple[int, LimitReason]:
    """Return the charger's own cap: power level, or the stale budget if stale."""
    if budget.stale_inputs:
        stale_cap = config.stale_budget_a
        if stale_cap is None:
            stale_cap = _fallback(config, charger)
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
            cap, _ = _static_cap(config, charger, budget)
            pilot = min(_fallback(config, charger), cap)
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


def _remember(
    memory: ChargerMemory | None, pilot_a: int, reason: LimitReason, now: float
) -> ChargerMemory:
    """Memory of a charger outside the allocation: only its pilot and reason."""
    return ChargerMemory(pilot_a, reason, _changed_at(memory, pilot_a, now))
