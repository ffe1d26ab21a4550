"""Timing rules per charger: following, not drawing, increases and resumes.

Decreases always take effect on the evaluation that needs them; only rises
are held back, so holding never makes a pilot less safe than its target.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .limits import MIN_CURRENT_A
from .model import LimitReason, Timing
from .state import ChargerMemory

# A pilot of 0 for one of these reasons was not a pause for lack of room, so a
# vehicle that starts asking starts at once (no resume delay).
NOT_ASKING_REASONS = frozenset(
    {
        LimitReason.NO_VEHICLE,
        LimitReason.DISABLED,
        LimitReason.NOT_MANAGED,
        LimitReason.FALLBACK_UNREACHABLE,
    }
)


def is_not_following(
    memory: ChargerMemory | None, measured_a: float, now: float, timing: Timing
) -> bool:
    """Whether the vehicle draws above its pilot after having had time to follow."""
    return (
        memory is not None
        and now - memory.changed_at >= timing.follow_grace_s
        and measured_a > memory.pilot_a + timing.follow_tolerance_a
    )


@dataclass(frozen=True, slots=True)
class NotDrawing:
    """Tracking of a vehicle drawing clearly below its pilot."""

    below_since: float | None = None
    cap_a: int | None = None
    capped_at: float | None = None


def track_not_drawing(
    memory: ChargerMemory | None, measured_a: float, now: float, timing: Timing
) -> NotDrawing:
    """Cap a vehicle near its draw once it has stayed clearly below its pilot.

    The cap is lifted after ``not_drawing_reoffer_s`` to offer more again.
    """
    if memory is None:
        return NotDrawing()
    if memory.cap_a is not None and memory.capped_at is not None:
        if now - memory.capped_at >= timing.not_drawing_reoffer_s:
            return NotDrawing()
        return NotDrawing(cap_a=memory.cap_a, capped_at=memory.capped_at)
    pilot = memory.pilot_a
    if pilot < MIN_CURRENT_A or measured_a >= pilot - timing.not_drawing_margin_a:
        return NotDrawing()
    since = memory.below_since if memory.below_since is not None else now
    if now - since < timing.not_drawing_after_s:
        return NotDrawing(below_since=since)
    cap = max(MIN_CURRENT_A, math.ceil(measured_a + timing.not_drawing_headroom_a))
    return NotDrawing(cap_a=cap, capped_at=now)


@dataclass(frozen=True, slots=True)
class Paced:
    """The pilot after the timing rules, its reason, and the resume clock."""

    pilot_a: int
    reason: LimitReason
    room_since: float | None = None


def pace(
    memory: ChargerMemory | None,
    target_a: int,
    reason: LimitReason,
    *,
    cap_a: int,
    now: float,
    timing: Timing,
) -> Paced:
    """Apply decreases at once; hold increases and resumes back as configured."""
    if memory is None or target_a <= memory.pilot_a:
        return Paced(target_a, reason)
    last = memory.pilot_a
    if last == 0:
        if memory.reason in NOT_ASKING_REASONS:
            return Paced(target_a, reason)
        room_since = memory.room_since if memory.room_since is not None else now
        if now - room_since >= timing.resume_delay_s:
            return Paced(target_a, reason)
        return Paced(0, LimitReason.WAITING_FOR_6A, room_since)
    worth_it = target_a - last >= timing.increase_deadband_a or target_a == cap_a
    if worth_it and now - memory.changed_at >= timing.increase_interval_s:
        return Paced(target_a, reason)
    # Unchanged pilot, unchanged explanation.
    return Paced(last, memory.reason)
