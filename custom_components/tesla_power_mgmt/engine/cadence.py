"""How often a meter or the Powerwall reports, learned from when readings arrive.

A slow input is not a stale one: it is stale only after the larger of its
grace and a few learned intervals. Until then the engine holds back a
reserve for the load that may rise unseen. See docs/engine.md, "Slow inputs".
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import MeterReading, PowerwallReading

LEARN_WEIGHT = 0.25
"""Weight of each new interval in the running average."""
LONGEST_INTERVAL_S = 60.0
"""A longer gap is an interruption, and teaches at most this."""
INTERVALS_BEFORE_STALE = 3.0
"""So an input is stale after at most 3 x 60 s beyond its grace."""


@dataclass(frozen=True, slots=True)
class Cadence:
    """One input's last report and its learned interval (0: not learned yet)."""

    last_at: float | None = None
    interval_s: float = 0.0


NO_CADENCE = Cadence()


def learn(cadence: Cadence, reading: MeterReading | PowerwallReading | None) -> Cadence:
    """Return the cadence after an evaluation that saw ``reading``."""
    if reading is None:
        return NO_CADENCE
    at, last = reading.at, cadence.last_at
    if last is None or at == last:
        return Cadence(at, cadence.interval_s)
    if at < last:  # the clock went back: learn again
        return Cadence(at)
    gap = min(at - last, LONGEST_INTERVAL_S)
    if cadence.interval_s == 0:
        return Cadence(at, gap)
    return Cadence(at, cadence.interval_s + LEARN_WEIGHT * (gap - cadence.interval_s))


def stale_after(cadence: Cadence, grace_s: float) -> float:
    """Return the age at which this input's reading is stale."""
    return max(grace_s, INTERVALS_BEFORE_STALE * cadence.interval_s)


def unseen_rise_a(cadence: Cadence, age_s: float, rate_a_per_min: float) -> int:
    """Return the whole amps held back for a load rising unseen.

    Nothing while reports come on time (the panel margin covers that); the
    rate over every second the reading is late beyond its learned interval.
    """
    return int(rate_a_per_min * max(age_s - cadence.interval_s, 0.0) / 60.0)
