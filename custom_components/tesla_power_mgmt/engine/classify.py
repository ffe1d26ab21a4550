"""What each charger is in this evaluation, and the load it already puts there.

``Unmanaged`` (a fixed load), ``Unreachable`` (reserved, given the fallback),
``Idle`` (asks nothing) or ``Asking`` (a demand for the sharing); each with
what the sharing counts for it whatever its pilot (docs/engine.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from .allocator import Demand
from .budget import SiteBudget
from .limits import MIN_CURRENT_A
from .model import ChargerConfig, ChargerReading, LimitReason, SiteConfig
from .pacing import stale_hold_reason, track_following, track_not_drawing
from .state import ChargerMemory, Following, NotDrawing

ACTIVE_PHASE_A = 5.0
"""A vehicle drawing this much on a phase is charging (see ``drawing_phases``)."""

IDLE_PHASE_A = 1.0
"""Below this on a phase, while charging on another, it does not use it."""


@dataclass(frozen=True, slots=True)
class Unmanaged:
    """A unit the engine cannot command: a fixed load (its maximum if unread)."""

    charger: ChargerConfig
    memory: ChargerMemory | None
    load_a: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A managed unit that cannot be read: its live phases and its last pilot."""

    charger: ChargerConfig
    memory: ChargerMemory | None
    phases: tuple[int, ...]
    last_a: int


@dataclass(frozen=True, slots=True)
class Idle:
    """A readable unit given 0 A: why, what it draws, what it counts, its latch."""

    charger: ChargerConfig
    memory: ChargerMemory | None
    reason: LimitReason
    remembered: LimitReason
    measured_a: tuple[float, ...]
    committed_a: tuple[float, ...]
    following: Following


@dataclass(frozen=True, slots=True)
class Asking:
    """A vehicle asking for current: its demand, cap reason and per-rule tracking."""

    position: int
    charger: ChargerConfig
    memory: ChargerMemory | None
    demand: Demand
    cap_reason: LimitReason
    measured_a: tuple[float, ...]
    committed_a: tuple[float, ...]
    following: Following
    not_drawing: NotDrawing


Kind = Unmanaged | Unreachable | Idle | Asking


def classify(  # noqa: PLR0917 -- one value per input of the step
    config: SiteConfig,
    position: int,
    reading: ChargerReading | None,
    per_phase: tuple[float, ...] | None,
    memory: ChargerMemory | None,
    budget: SiteBudget,
    now: float,
) -> Kind:
    """Return what the charger at ``position`` is; ``per_phase`` None: unreadable."""
    charger = config.chargers[position]
    if not charger.managed:
        if per_phase is None:
            live = live_phases(charger, budget)
            per_phase = on_phases(
                live, config.phase_count, float(charger.max_current_a)
            )
        return Unmanaged(charger, memory, per_phase)
    if reading is None or per_phase is None:
        last = memory.pilot_a if memory is not None else 0
        return Unreachable(charger, memory, live_phases(charger, budget), last)
    return _readable(
        config, position, reading, per_phase, memory=memory, budget=budget, now=now
    )


def _readable(
    config: SiteConfig,
    position: int,
    reading: ChargerReading,
    per_phase: tuple[float, ...],
    *,
    memory: ChargerMemory | None,
    budget: SiteBudget,
    now: float,
) -> Idle | Asking:
    """Classify a readable managed charger as idle or asking."""
    charger = config.chargers[position]
    timing = config.timing
    drawn = max(per_phase[phase] for phase in charger.phases)
    following = track_following(memory, drawn, now, timing)
    phases = drawing_phases(per_phase, live_phases(charger, budget))
    committed = _committed(
        config, memory, per_phase, phases=phases, following=following, now=now
    )
    cap, cap_reason = static_cap(charger, memory, budget)
    if following.not_following and memory is not None:
        cap, cap_reason = _held(memory, cap, cap_reason)
    idle_reason = _idle_reason(charger, reading, phases, budget)
    if idle_reason is None and cap < MIN_CURRENT_A:
        idle_reason = cap_reason
    if idle_reason is not None:
        remembered = idle_reason
        if idle_reason is LimitReason.STALE_INPUT:
            remembered = stale_hold_reason(memory)
        return Idle(
            charger, memory, idle_reason, remembered, per_phase, committed, following
        )
    not_drawing = track_not_drawing(memory, drawn, now, timing)
    if not_drawing.cap_a is not None and not_drawing.cap_a < cap:
        cap, cap_reason = not_drawing.cap_a, LimitReason.VEHICLE_NOT_DRAWING
    floor = (0.0,) * len(phases)
    if following.not_following:
        floor = tuple(per_phase[phase] for phase in phases)
    return Asking(
        position,
        charger,
        memory,
        Demand(phases, cap, floor),
        cap_reason,
        per_phase,
        committed,
        following,
        not_drawing,
    )


def _held(
    memory: ChargerMemory, cap: int, reason: LimitReason
) -> tuple[int, LimitReason]:
    """Hold a vehicle not following at its pilot: a rise is a command it ignores."""
    if MIN_CURRENT_A <= memory.pilot_a < cap:
        return memory.pilot_a, memory.reason
    return cap, reason


def _idle_reason(
    charger: ChargerConfig,
    reading: ChargerReading,
    phases: tuple[int, ...],
    budget: SiteBudget,
) -> LimitReason | None:
    """Return why a readable charger asks nothing (None: it asks)."""
    if not charger.enabled:
        return LimitReason.DISABLED
    if not (reading.vehicle_connected and reading.vehicle_wants_current):
        return LimitReason.NO_VEHICLE
    if not phases:  # only in an outage: none of its phases is backed up
        return budget.outage_reason
    return None


def _committed(
    config: SiteConfig,
    memory: ChargerMemory | None,
    per_phase: tuple[float, ...],
    *,
    phases: tuple[int, ...],
    following: Following,
    now: float,
) -> tuple[float, ...]:
    """Return what the sharing counts for a readable charger whatever its pilot.

    Not following: its whole draw. Otherwise its draw on phases its pilot is
    not budgeted on, and a small steady excess over a pilot that has stood.
    """
    if following.not_following:
        return per_phase
    timing = config.timing
    offset = memory is not None and now - memory.changed_at >= timing.follow_grace_s
    last = memory.pilot_a if memory is not None else 0
    tolerance = timing.follow_tolerance_a
    committed = []
    for phase, current in enumerate(per_phase):
        counted = 0.0
        if offset and 0.0 < current - last <= tolerance:
            counted = current - last
        if phase not in phases:
            counted += current
        committed.append(counted)
    return tuple(committed)


def measured_per_phase(
    config: SiteConfig,
    charger: ChargerConfig,
    reading: ChargerReading | None,
    now: float,
) -> tuple[float, ...] | None:
    """Spread a fresh reading's currents onto site phases; None if unreachable."""
    if (
        reading is None
        or not reading.reachable
        or now - reading.at > config.timing.charger_stale_s
    ):
        return None
    values = reading.current_a
    highest = max(values, default=0.0)
    per_phase = [0.0] * config.phase_count
    for offset, phase in enumerate(charger.phases):
        value = values[offset] if offset < len(values) else highest
        per_phase[phase] = max(value, 0.0)
    return tuple(per_phase)


def on_phases(
    phases: tuple[int, ...], phase_count: int, current_a: float
) -> tuple[float, ...]:
    """Return ``current_a`` on each of ``phases``, 0 elsewhere."""
    return tuple(current_a if phase in phases else 0.0 for phase in range(phase_count))


def drawing_phases(
    per_phase: tuple[float, ...], live: tuple[int, ...]
) -> tuple[int, ...]:
    """Return the live phases its pilot is budgeted on: those its vehicle uses.

    Charging (``ACTIVE_PHASE_A`` on a phase) and under ``IDLE_PHASE_A`` on
    another: not that one (a 1-phase car on a 3-phase unit). Else every phase.
    """
    if max((per_phase[phase] for phase in live), default=0.0) < ACTIVE_PHASE_A:
        return live
    return tuple(phase for phase in live if per_phase[phase] >= IDLE_PHASE_A)


def live_phases(charger: ChargerConfig, budget: SiteBudget) -> tuple[int, ...]:
    """Return the charger's phases with power: in an outage the backed-up ones."""
    return tuple(phase for phase in charger.phases if phase in budget.live_phases)


def static_cap(
    charger: ChargerConfig,
    memory: ChargerMemory | None,
    budget: SiteBudget,
) -> tuple[int, LimitReason]:
    """Return the charger's own cap: power level, or its last pilot if stale.

    A stale input never raises a pilot; the site's stale budget (a level in
    ``budget``) bounds all of them together.
    """
    if (
        budget.stale_inputs
        and memory is not None
        and memory.pilot_a < charger.max_current_a
    ):
        return memory.pilot_a, LimitReason.STALE_INPUT
    return charger.max_current_a, LimitReason.POWER_LEVEL
