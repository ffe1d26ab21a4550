"""The measurement-lag credit: a vehicle's own step is not an overload of its own.

For a pilot that rose (or fell) within ``lag_window_s`` the capacity lost
since, up to the part of the step its unit does not show yet, is given back
to holds and decreases only (docs/engine.md, "Lag").
"""

from __future__ import annotations

from collections.abc import Sequence
import math

from .classify import drawing_phases
from .model import SiteConfig
from .state import NO_LAG, ChargerMemory, EngineState, Lag, Step


def lag_credited(
    config: SiteConfig,
    state: EngineState,
    measured: Sequence[tuple[float, ...] | None],
    capacity_a: tuple[float, ...],
    now: float,
) -> tuple[float, ...]:
    """Return the capacity that holds and decreases fit: the lag credited."""
    count = config.phase_count
    unseen = [0.0] * count
    baseline = [math.inf] * count
    window = config.timing.lag_window_s
    for charger, per_phase in zip(config.chargers, measured, strict=True):
        memory = state.chargers.get(charger.charger_id)
        if not charger.managed or per_phase is None or memory is None:
            continue
        rise, fall = memory.lag.rise, memory.lag.fall
        if rise is not None and _within(rise, count, now, window):
            expected = min(memory.pilot_a, charger.max_current_a)
            for phase in drawing_phases(per_phase, charger.phases):
                unseen[phase] += max(expected - per_phase[phase], 0.0)
                baseline[phase] = min(baseline[phase], rise.capacity_a[phase])
        if (
            fall is not None
            and _within(fall, count, now, window)
            and len(fall.drawn_a) == count
        ):
            for phase in charger.phases:
                unseen[phase] += max(fall.drawn_a[phase] - per_phase[phase], 0.0)
                baseline[phase] = min(baseline[phase], fall.capacity_a[phase])
    return tuple(
        capacity + min(unseen[phase], max(baseline[phase] - capacity, 0.0))
        if math.isfinite(baseline[phase]) and math.isfinite(capacity)
        else capacity
        for phase, capacity in enumerate(capacity_a)
    )


def _within(step: Step, count: int, now: float, window: float) -> bool:
    """Whether a remembered step is for this site and inside the lag window."""
    return len(step.capacity_a) == count and now - step.at <= window


def next_lag(
    memory: ChargerMemory | None,
    pilot_a: int,
    capacity_a: tuple[float, ...],
    measured_a: tuple[float, ...],
    now: float,
) -> Lag:
    """Remember a rise (and the capacity then) or a fall (and the draw then)."""
    last = memory.pilot_a if memory is not None else 0
    lag = memory.lag if memory is not None else NO_LAG
    if pilot_a > last:
        return Lag(Step(now, capacity_a), lag.fall)
    if memory is not None and pilot_a < last:
        return Lag(lag.rise, Step(now, capacity_a, measured_a))
    return lag
