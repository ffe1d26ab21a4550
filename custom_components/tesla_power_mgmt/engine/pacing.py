"""Timing rules per charger: following, not drawing, increases and resumes.

A vehicle flagged as not following stays flagged until it has followed its
pilot for the follow grace: it is counted at its whole draw meanwhile, and
its pilot is held (never raised: a rise is a command it ignores; lowered if
its share falls), so the flag does not clear the moment its pilot meets its
draw and restart the grace with a new command every minute.

Decreases always take effect on the evaluation that needs them; only rises
are held back, so holding never makes a pilot less safe than its target.

After the timing rules, a rise may still be cut short because the current it
needs is not yet measured as free (see ``allocator.fit_measured``). Such a
rise is still a rise: ``trim_rise`` keeps the old pilot rather than command a
step smaller than the deadband (a command, then a 60 s wait for the rest).
A rise smaller than the deadband is not lost: once the target has stayed
above the pilot for ``small_rise_after_s`` the rise is made, whatever its
size (current freed an amp at a time by a tapering vehicle reaches the
others, with at most one such command per vehicle per interval).
A vehicle paused by the outage budget (battery or solar) starts at once
when the grid is back: no resume delay, the room is the grid's, not a gap
between two appliance cycles (two minutes at up to 48 A otherwise lost).
Nor does a vehicle held at 0 A by a stale input (it arrived meanwhile, or a
stale budget below 6 A paused it) wait once the input is fresh: no room was
seen to come and go; one paused for lack of room before the input went
stale keeps its resume delay.
A vehicle that had been paused for ``long_pause_s`` (10 minutes) before the
room came waits only ``long_pause_resume_delay_s`` (30 s): the room that
returns after a long absence is the end of a long appliance run (a heat
pump's 18-minute cycle), which the full delay would cost two minutes a
cycle, or a rotation's hand-over to a vehicle that waited its turn; a
pause shorter than that (an oven's or a cooker's thermostat) keeps the
full delay.
A vehicle cleared to start but held at 0 A that way keeps its clearance
(``Paced.room_since`` already past the resume delay): it starts as soon as
the current is measured free, not two minutes later.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .limits import MIN_CURRENT_A
from .model import LimitReason, Timing
from .state import ChargerMemory

# A pilot of 0 for one of these reasons was not a pause for lack of room, so a
# vehicle that starts asking starts at once (no resume delay). A stale input
# is one: it holds at 0 A a vehicle that arrives meanwhile, or one a stale
# budget below 6 A pauses; nothing was known, so no room came and went. A
# vehicle paused for lack of room before the input went stale keeps that
# reason in its memory (``stale_hold_reason``), and its resume delay.
NOT_ASKING_REASONS = frozenset(
    {
        LimitReason.NO_VEHICLE,
        LimitReason.DISABLED,
        LimitReason.NOT_MANAGED,
        LimitReason.FALLBACK_UNREACHABLE,
        LimitReason.STALE_INPUT,
    }
)

# A pause for one of these reasons ends at once when the reason ends (the grid
# is back): the grid's return is not the passing room the resume delay guards
# against, and the vehicle would otherwise idle two minutes on a full panel.
OUTAGE_REASONS = frozenset({LimitReason.OUTAGE_BATTERY, LimitReason.OUTAGE_SOLAR})


def stale_hold_reason(memory: ChargerMemory | None) -> LimitReason:
    """Return the reason to remember for a vehicle held at 0 A by a stale input.

    A vehicle already paused for lack of room (or by the outage budget) stays
    paused for that reason: once the input is fresh, its room must last the
    resume delay as before. Any other (it was charging, or had just arrived)
    is held by the stale input alone and starts as soon as the input is fresh.
    """
    if (
        memory is not None
        and memory.pilot_a == 0
        and memory.reason not in NOT_ASKING_REASONS
    ):
        return memory.reason
    return LimitReason.STALE_INPUT


@dataclass(frozen=True, slots=True)
class Following:
    """Whether a vehicle follows its pilot, with the clocks of the latch.

    - ``over_since``: drawing above its pilot + tolerance since (kept across
      pilot changes while it stays above, so a new command does not restart
      the grace).
    - ``not_following``: latched once it has drawn above its pilot for the
      follow grace (or right away if its pilot had been unchanged for that
      long); released only after it has followed for the follow grace.
    - ``following_since``: latched, but drawing within its pilot since.
    """

    over_since: float | None = None
    not_following: bool = False
    following_since: float | None = None


def track_following(
    memory: ChargerMemory | None, measured_a: float, now: float, timing: Timing
) -> Following:
    """Flag a vehicle that draws above its pilot after having had time to follow."""
    if memory is None:
        return Following()
    over = measured_a > memory.pilot_a + timing.follow_tolerance_a
    grace = timing.follow_grace_s
    if memory.not_following:
        if over:
            return Following(not_following=True)
        since = memory.following_since if memory.following_since is not None else now
        if now - since >= grace:
            return Following()
        return Following(not_following=True, following_since=since)
    if not over:
        return Following()
    since = memory.over_since if memory.over_since is not None else now
    if now - since >= grace or now - memory.changed_at >= grace:
        return Following(not_following=True)
    return Following(over_since=since)


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

    The cap follows a tapering vehicle down (the same rule, again, lowers
    it) and is lifted as soon as the vehicle draws up to it (within the
    follow tolerance): it is then limited by the cap, not by itself, and
    may want more. No periodic re-offer: handing a tapering vehicle its
    whole share back takes it from the others for the minutes the rule
    needs to cap it again.
    """
    if memory is None:
        return NotDrawing()
    cap = memory.cap_a
    if cap is not None and measured_a >= cap - timing.follow_tolerance_a:
        return NotDrawing()
    pilot = memory.pilot_a
    if pilot < MIN_CURRENT_A or measured_a >= pilot - timing.not_drawing_margin_a:
        return NotDrawing(cap_a=cap, capped_at=memory.capped_at)
    since = memory.below_since if memory.below_since is not None else now
    if now - since < timing.not_drawing_after_s:
        return NotDrawing(below_since=since, cap_a=cap, capped_at=memory.capped_at)
    lower = max(MIN_CURRENT_A, math.ceil(measured_a + timing.not_drawing_headroom_a))
    if cap is not None and cap <= lower:
        return NotDrawing(cap_a=cap, capped_at=memory.capped_at)
    return NotDrawing(cap_a=lower, capped_at=now)


@dataclass(frozen=True, slots=True)
class Paced:
    """The pilot after the timing rules, its reason, and the resume clock.

    ``room_since`` is kept only while the pilot ends up 0 A; a start that is
    allowed carries a clock already past the resume delay.
    """

    pilot_a: int
    reason: LimitReason
    room_since: float | None = None
    rise_since: float | None = None
    small_rise: bool = False


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
    last = memory.pilot_a
    if last == 0:
        if memory.reason in NOT_ASKING_REASONS or (
            memory.reason in OUTAGE_REASONS and reason not in OUTAGE_REASONS
        ):
            return Paced(target_a, reason, cleared)
        room_since = memory.room_since if memory.room_since is not None else now
        delay = timing.resume_delay_s
        if room_since - memory.changed_at >= timing.long_pause_s:
            # Paused long before the room came: the end of a long appliance
            # run (a heat pump's cycle), not a gap between two short ones.
            delay = timing.long_pause_resume_delay_s
        if now - room_since >= delay:
            return Paced(target_a, reason, room_since)
        return Paced(0, LimitReason.WAITING_FOR_6A, room_since)
    rise_since = memory.rise_since if memory.rise_since is not None else now
    small_rise = now - rise_since >= timing.small_rise_after_s
    worth_it = (
        target_a - last >= timing.increase_deadband_a or target_a == cap_a or small_rise
    )
    if worth_it and now - memory.changed_at >= timing.increase_interval_s:
        return Paced(target_a, reason, rise_since=rise_since, small_rise=small_rise)
    # Unchanged pilot, unchanged explanation.
    return Paced(last, memory.reason, rise_since=rise_since)


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
