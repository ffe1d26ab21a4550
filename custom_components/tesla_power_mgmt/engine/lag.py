"""The measurement-lag credit: a vehicle's own step is not an overload of its own.

For a pilot that rose (or fell) within ``lag_window_s`` the capacity lost
since, up to the part of the step its unit does not show yet, is given back
to holds and decreases only, on the rows a lagging meter sets: the panel's
and the Powerwall's (docs/engine.md, "Lag").
"""

from __future__ import annotations

from collections.abc import Sequence
import math

from .classify import drawing_phases, on_phases
from .layout import Layout
from .model import LimitReason, SiteConfig
from .state import NO_LAG, ChargerMemory, EngineState, Lag, Step

SEEN_BY_A_METER = frozenset(
    {LimitReason.PANEL_HEADROOM, LimitReason.OUTAGE_BATTERY, LimitReason.OUTAGE_SOLAR}
)


def lag_credited(
    config: SiteConfig,
    state: EngineState,
    measured: Sequence[tuple[float, ...] | None],
    rows: Layout,
    now: float,
) -> tuple[float, ...]:
    """Return the row capacities that holds and decreases fit: the lag credited."""
    count = len(rows.capacity_a)
    unseen = [0.0] * count
    baseline = [math.inf] * count
    window = config.timing.lag_window_s
    for charger, per_phase in zip(config.chargers, measured, strict=True):
        memory = state.chargers.get(charger.charger_id)
        if not charger.managed or per_phase is None or memory is None:
            continue
        rise, fall = memory.lag.rise, memory.lag.fall
        charger_id = charger.charger_id
        if rise is not None and _within(rise, count, now, window):
            expected = min(memory.pilot_a, charger.max_current_a)
            phases = drawing_phases(per_phase, charger.phases)
            gap = [max(expected - per_phase[p], 0.0) for p in range(len(per_phase))]
            _credit(unseen, baseline, rows, charger_id, phases, gap, rise)
        if (
            fall is not None
            and _within(fall, count, now, window)
            and len(fall.drawn_a) == config.phase_count
        ):
            pairs = zip(fall.drawn_a, per_phase, strict=True)
            gap = [max(was - drawn, 0.0) for was, drawn in pairs]
            _credit(unseen, baseline, rows, charger_id, charger.phases, gap, fall)
    return tuple(
        capacity + min(unseen[row], max(baseline[row] - capacity, 0.0))
        if math.isfinite(baseline[row])
        and math.isfinite(capacity)
        and rows.reasons[row] in SEEN_BY_A_METER
        else capacity
        for row, capacity in enumerate(rows.capacity_a)
    )


def _credit(  # noqa: PLR0917 -- one value per part of the step
    unseen: list[float],
    baseline: list[float],
    rows: Layout,
    charger_id: str,
    phases: tuple[int, ...],
    gap: list[float],
    step: Step,
) -> None:
    """Add a charger's unseen step on its rows; lower each row's baseline."""
    width = len(gap)
    shown = [gap[p] if p in phases else 0.0 for p in range(width)]
    touched = rows.spread(charger_id, on_phases(phases, width, 1.0))
    for row, added in enumerate(rows.spread(charger_id, shown)):
        unseen[row] += added
        if touched[row]:
            baseline[row] = min(baseline[row], step.capacity_a[row])


def _within(step: Step, count: int, now: float, window: float) -> bool:
    """Whether a remembered step is for these rows and inside the lag window."""
    return len(step.capacity_a) == count and now - step.at <= window


def next_lag(
    memory: ChargerMemory | None,
    pilot_a: int,
    capacity_a: tuple[float, ...],
    measured_a: tuple[float, ...],
    now: float,
) -> Lag:
    """Remember a rise (and the row capacities then) or a fall (and the draw then)."""
    last = memory.pilot_a if memory is not None else 0
    lag = memory.lag if memory is not None else NO_LAG
    if pilot_a > last:
        return Lag(Step(now, capacity_a), lag.fall)
    if memory is not None and pilot_a < last:
        return Lag(lag.rise, Step(now, capacity_a, measured_a))
    return lag
