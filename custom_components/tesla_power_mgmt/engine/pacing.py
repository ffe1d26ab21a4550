"""Timing rules per charger: following, not drawing, increases and resumes.

Decreases always act on the evaluation that needs them; only rises are held
back, so pacing never makes a pilot less safe than its target. The reasons
for each delay are in docs/engine.md ("Pace").
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .limits import MIN_CURRENT_A
from .model import LimitReason, Timing
from .state import (
    NO_FOLLOWING,
    NO_NOT_DRAWING,
    ChargerMemory,
    Following,
    NotDrawing,
)

__all__ = [
    "NOT_ASKING_REASONS",
    "OUTAGE_REASONS",
    "Following",
    "NotDrawing",
    "Paced",
    "pace",
    "stale_hold_reason",
    "track_following",
    "track_not_drawing",
    "trim_rise",
]

# A pilot of 0 for one of these reasons was not a pause for lack of room: a
# vehicle that starts asking starts at once (no resume delay).
NOT_ASKING_REASONS = frozenset(
    {
        LimitReason.NO_VEHICLE,
        LimitReason.DISABLED,
        LimitReason.NOT_MANAGED,
        LimitReason.FALLBACK_UNREACHABLE,
        LimitReason.STALE_INPUT,
    }
)

# A pause for one of these ends at once when the grid is back.
OUTAGE_REASONS = frozenset({LimitReason.OUTAGE_BATTERY, LimitReason.OUTAGE_SOLAR})


def stale_hold_reason(memory: ChargerMemory | None) -> LimitReason:
    """Return the reason to remember for a vehicle held at 0 A by a stale input.

    One already paused for lack of room keeps that reason (and its resume
    delay once the input is fresh); any other is held by the stale input alone.
    """
    if (
        memory is not None
        and memory.pilot_a == 0
        and memory.reason not in NOT_ASKING_REASONS
    ):
        return memory.reason
    return LimitReason.STALE_INPUT


def track_following(
    memory: ChargerMemory | None, measured_a: float, now: float, timing: Timing
) -> Following:
    """Flag a vehicle that draws above its pilot after having had time to follow."""
    if memory is None:
        return NO_FOLLOWING
    latch = memory.following
    over = measured_a > memory.pilot_a + timing.follow_tolerance_a
    grace = timing.follow_grace_s
    if latch.not_following:
        if over:
            return Following(not_following=True)
        since = latch.following_since if latch.following_since is not None else now
        if now - since >= grace:
            return NO_FOLLOWING
        return Following(not_following=True, following_since=since)
    if not over:
        return NO_FOLLOWING
    since = latch.over_since if latch.over_since is not None else now
    if now - since >= grace or now - memory.changed_at >= grace:
        return Following(not_following=True)
    return latch if latch.over_since == since else Following(over_since=since)


def track_not_drawing(
    memory: ChargerMemory | None, measured_a: float, now: float, timing: Timing
) -> NotDrawing:
    """Cap a vehicle near its draw once it has stayed clearly below its pilot.

    The cap follows a tapering vehicle down and is lifted once it draws up to
    it (within the follow tolerance).
    """
    if memory is None:
        return NO_NOT_DRAWING
    record = memory.not_drawing
    cap = record.cap_a
    if cap is not None and measured_a >= cap - timing.follow_tolerance_a:
        return NO_NOT_DRAWING
    pilot = memory.pilot_a
    if pilot < MIN_CURRENT_A or measured_a >= pilot - timing.not_drawing_margin_a:
        return _capped(record)
    since = record.below_since if record.below_since is not None else now
    if now - since < timing.not_drawing_after_s:
        if record.below_since == since:
            return record
        return NotDrawing(below_since=since, cap_a=cap, capped_at=record.capped_at)
    lower = max(MIN_CURRENT_A, math.ceil(measured_a + timing.not_drawing_headroom_a))
    if cap is not None and cap <= lower:
        return _capped(record)
    return NotDrawing(cap_a=lower, capped_at=now)


def _capped(record: NotDrawing) -> NotDrawing:
    """Return the record with its cap kept and its below-clock stopped."""
    if record.below_since is None:
        return record
    return NotDrawing(cap_a=record.cap_a, capped_at=record.capped_at)


@dataclass(frozen=True, slots=True)
class Paced:
    """The pilot after the timing rules, its reason, and the pacing clocks.

    ``room_since`` is kept only while the pilot ends up 0 A; a start that is
    allowed carries a clock already past the resume delay.
    """

    pilot_a: int
    reason: LimitReason
    room_since: float | None = None
    rise_since: float | None = None
    small_rise: bool = False
    increase_at: float | None = None  # when a rise held back may be made


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
    cleared = now - timing.resume_delay_s
    if memory is None:
        return Paced(target_a, reason, cleared if target_a else None)
    if target_a <= memory.pilot_a:
        return Paced(target_a, reason)
    if memory.pilot_a == 0:
        return _resume(memory, target_a, reason, now, timing)
    last = memory.pilot_a
    rise_since = memory.clocks.rise_since
    if rise_since is None:
        rise_since = now
    small_rise = now - rise_since >= timing.small_rise_after_s
    worth_it = (
        target_a - last >= timing.increase_deadband_a or target_a == cap_a or small_rise
    )
    if worth_it and now - memory.changed_at >= timing.increase_interval_s:
        return Paced(target_a, reason, rise_since=rise_since, small_rise=small_rise)
    increase_at = memory.changed_at + timing.increase_interval_s
    if not worth_it:
        increase_at = max(increase_at, rise_since + timing.small_rise_after_s)
    return Paced(
        last,
        LimitReason.WAITING_TO_INCREASE,
        rise_since=rise_since,
        increase_at=increase_at,
    )


def _resume(
    memory: ChargerMemory,
    target_a: int,
    reason: LimitReason,
    now: float,
    timing: Timing,
) -> Paced:
    """Restart a paused vehicle after the resume delay (short after a long pause)."""
    cleared = now - timing.resume_delay_s
    if memory.reason in NOT_ASKING_REASONS or (
        memory.reason in OUTAGE_REASONS and reason not in OUTAGE_REASONS
    ):
        return Paced(target_a, reason, cleared)
    room_since = memory.clocks.room_since
    if room_since is None:
        room_since = now
    delay = timing.resume_delay_s
    if room_since - memory.changed_at >= timing.long_pause_s:
        delay = timing.long_pause_resume_delay_s
    if now - room_since >= delay:
        return Paced(target_a, reason, room_since)
    return Paced(
        0, LimitReason.WAITING_FOR_6A, room_since, increase_at=room_since + delay
    )


def trim_rise(
    memory: ChargerMemory | None, fitted_a: int, paced: Paced, timing: Timing
) -> int:
    """Keep the old pilot rather than rise by less than the deadband.

    Unless the rise has waited ``small_rise_after_s`` already.
    """
    if (
        memory is None
        or memory.pilot_a == 0
        or paced.small_rise
        or not memory.pilot_a < fitted_a < paced.pilot_a
    ):
        return fitted_a
    if fitted_a - memory.pilot_a < timing.increase_deadband_a:
        return memory.pilot_a
    return fitted_a
