"""One evaluation as a pipeline of values (docs/engine.md has the diagram).

measure -> budget -> classify -> base load -> fallbacks -> share -> pace ->
fit -> decide. Each step is a pure function over frozen values; nothing is
mutated between them, and the next ``EngineState`` is the last step's output.
"""

from __future__ import annotations

from collections.abc import Sequence

from .allocator import Grant, Request, allocate, fit_measured
from .budget import STALE_BUDGET_A, SiteBudget, site_budget
from .cadence import learn
from .classify import Asking, Kind, Unreachable, classify, measured_per_phase
from .decide import Decided, assemble, decide_asking, decide_others
from .decision import Decision
from .lag import lag_credited
from .layout import Layout, circuit_currents, layout
from .load import (
    BaseLoad,
    Fallback,
    base_load,
    fallback_request,
    fallbacks,
    network_current,
    site_fallback_limit,
)
from .model import LimitReason, Readings, SiteConfig
from .pacing import Paced, pace
from .rotation import admission_order
from .state import EngineState

__all__ = ["STALE_BUDGET_A", "evaluate", "site_fallback_limit"]


def evaluate(
    config: SiteConfig, readings: Readings, state: EngineState, now: float
) -> Decision:
    """Return every charger's pilot current and reason, and the site's figures."""
    by_id = {reading.charger_id: reading for reading in readings.chargers}
    measured = [
        measured_per_phase(config, charger, by_id.get(charger.charger_id), now)
        for charger in config.chargers
    ]
    ev_current = network_current(config, measured)
    cadences = (
        learn(state.meter, readings.meter),
        learn(state.powerwall, readings.powerwall),
    )
    budget = site_budget(
        config,
        readings.meter,
        readings.powerwall,
        ev_current_a=ev_current,
        outage_holding=state.outage_holding,
        cadences=cadences,
        now=now,
    )
    kinds = [
        classify(
            config,
            position,
            by_id.get(charger.charger_id),
            measured[position],
            state.chargers.get(charger.charger_id),
            budget,
            now,
        )
        for position, charger in enumerate(config.chargers)
    ]
    rows = layout(config, budget, budget.capacity_a)
    units = [kind for kind in kinds if isinstance(kind, Unreachable)]
    blind, load = fallbacks(
        config, rows, units, budget, base_load(rows, kinds), now=now
    )
    hold_capacity = lag_credited(config, state, measured, rows, now)
    decided = _share_pace_fit(
        config,
        kinds,
        blind,
        load,
        rows=rows,
        budget=budget,
        hold_capacity=hold_capacity,
        now=now,
    )
    circuits = circuit_currents(config, measured)
    return assemble(config, decided, ev_current, budget, circuits, cadences=cadences)


def _share_pace_fit(
    config: SiteConfig,
    kinds: Sequence[Kind],
    blind: Sequence[Fallback],
    load: BaseLoad,
    *,
    rows: Layout,
    budget: SiteBudget,
    hold_capacity: tuple[float, ...],
    now: float,
) -> dict[str, Decided]:
    """Share among those asking, pace each, fit all to what is measured, decide."""
    timing = config.timing
    asking = admission_order(kinds, now, timing.rotation_interval_s)
    demands = [rows.demand(a.charger.charger_id, a.demand) for a in asking]
    grants = allocate(hold_capacity, load.committed_a, demands)
    paced = [
        pace(
            entry.memory,
            grant.pilot_a,
            _share_reason(entry, grant, rows.reasons),
            cap_a=entry.demand.cap_a,
            now=now,
            timing=timing,
        )
        for entry, grant in zip(asking, grants, strict=True)
    ]
    fitted = fit_measured(
        hold_capacity,
        load.drawn_a,
        _requests(config, rows, blind, asking, paced),
        timing.follow_tolerance_a,
        rows.capacity_a,
    )
    decided = decide_others(kinds, blind, fitted[: len(blind)], config, now)
    for entry, grant, step, fit in zip(
        asking, grants, paced, fitted[len(blind) :], strict=True
    ):
        decided[entry.charger.charger_id] = decide_asking(
            entry,
            grant,
            step,
            fit,
            capacity_a=rows.capacity_a,
            reasons=rows.reasons,
            timing=timing,
            now=now,
        )
    return decided


def _share_reason(
    entry: Asking, grant: Grant, reasons: tuple[LimitReason, ...]
) -> LimitReason:
    """Why the sharing gave what it gave: its own cap, a full row, or no 6 A."""
    if grant.limited_by is None:
        return entry.cap_reason
    binding = reasons[grant.limited_by]
    if (
        grant.pilot_a == 0
        and not grant.starved
        and binding is not LimitReason.STALE_INPUT
    ):
        return LimitReason.WAITING_FOR_6A
    return binding


def _requests(
    config: SiteConfig,
    rows: Layout,
    blind: Sequence[Fallback],
    asking: Sequence[Asking],
    paced: Sequence[Paced],
) -> list[Request]:
    """Return what the fit is asked, on rows: the fallbacks, then the paced pilots."""
    requests = [fallback_request(config, rows, fallback) for fallback in blind]
    for entry, step in zip(asking, paced, strict=True):
        phases = entry.demand.phases
        request = Request(
            phases,
            step.pilot_a,
            tuple(entry.measured_a[phase] for phase in phases),
            entry.memory.pilot_a if entry.memory is not None else None,
        )
        requests.append(rows.request(entry.charger.charger_id, request))
    return requests
