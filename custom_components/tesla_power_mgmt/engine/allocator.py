"""Admission at 6 A, fair sharing in whole amps, and the fit to what is measured.

It knows nothing of chargers or reasons: per row (one limit on one phase) a
capacity and a load already committed, and demands in admission order (rows,
cap, a floor per row counted whatever the pilot, the phases it draws on as
its weight). See docs/engine.md, "Share" and "Fit".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math

from .limits import MIN_CURRENT_A

EPSILON = 1e-9  # float sums of measured currents must not fail an exact fit


@dataclass(frozen=True, slots=True)
class Demand:
    """A vehicle asking for current: its rows, its cap (6 A or more), its floor.

    ``weight``: the phases it draws on; the sharing is fair in power, so at a
    common level a 1-phase vehicle gets three times a 3-phase one's amps.
    """

    phases: tuple[int, ...]
    cap_a: int
    floor_a: tuple[float, ...]
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Grant:
    """What a demand gets.

    ``limited_by`` is the phase that stops it from getting more (None: it is at
    its cap). ``starved`` is true when that phase cannot give 6 A to anyone,
    as opposed to being used by others.
    """

    pilot_a: int
    limited_by: int | None
    starved: bool = False


@dataclass(frozen=True, slots=True)
class Request:
    """A pilot to fit above the measured load.

    ``pilot_a`` is the pilot wanted (0 or 6 A and up); ``drawn_a`` the current
    measured per phase in ``phases``; ``previous_a`` the pilot it had (None:
    unknown, e.g. after a restart): above it, a pilot is a rise.
    """

    phases: tuple[int, ...]
    pilot_a: int
    drawn_a: tuple[float, ...]
    previous_a: int | None
    weight: int = 1


def _cost(pilot: float, floor: float) -> float:
    """Return the current a pilot adds on a phase beyond the floor counted."""
    return max(pilot - floor, 0.0)


def _added(demand: Demand, before: int, after: int) -> dict[int, float]:
    """Return per row what raising a demand's pilot from ``before`` adds.

    A row may appear more than once (a power limit over several phases).
    """
    added: dict[int, float] = {}
    for row, floor in zip(demand.phases, demand.floor_a, strict=True):
        step = _cost(after, floor) - _cost(before, floor)
        added[row] = added.get(row, 0.0) + step
    return added


def _blocking(
    capacity_a: Sequence[float],
    load: Sequence[float],
    added: dict[int, float],
    *,
    free: bool,
) -> int | None:
    """Return the first row the addition does not fit on (None: it fits).

    ``free``: what adds nothing fits even on a row already over.
    """
    return next(
        (
            row
            for row, step in added.items()
            if (step > 0 or not free) and load[row] + step > capacity_a[row] + EPSILON
        ),
        None,
    )


def _pilot_at(cap: int, weight: int, level: int) -> int:
    """Return the pilot at a common power level (amps times phases)."""
    return min(cap, max(MIN_CURRENT_A, level // weight))


def allocate(
    capacity_a: Sequence[float],
    committed_a: Sequence[float],
    demands: Sequence[Demand],
) -> list[Grant]:
    """Share the capacity among the demands; ``committed_a`` includes every floor."""
    if _all_fit(capacity_a, committed_a, demands):
        return [Grant(demand.cap_a, None) for demand in demands]
    load = list(committed_a)
    pilots = [0] * len(demands)
    admitted: list[int] = []
    grants: dict[int, Grant] = {}

    for index, demand in enumerate(demands):
        # Admitting a vehicle that already draws 6 A costs nothing.
        extra = _added(demand, 0, MIN_CURRENT_A)
        row = _blocking(capacity_a, load, extra, free=True)
        if row is None:
            for added_row, added in extra.items():
                load[added_row] += added
            pilots[index] = MIN_CURRENT_A
            admitted.append(index)
        else:
            starved = committed_a[row] + extra[row] > capacity_a[row] + EPSILON
            grants[index] = Grant(0, row, starved)

    _fill(capacity_a, load, demands, pilots, admitted)
    full_phase = _spread_remainder(capacity_a, load, demands, pilots, admitted)
    for index in admitted:
        grants[index] = Grant(pilots[index], full_phase.get(index))
    return [grants[index] for index in range(len(demands))]


def _all_fit(
    capacity_a: Sequence[float],
    committed_a: Sequence[float],
    demands: Sequence[Demand],
) -> bool:
    """Whether every demand at its cap (6 A or more) fits every phase."""
    load = list(committed_a)
    for demand in demands:
        cap = demand.cap_a
        for phase, floor in zip(demand.phases, demand.floor_a, strict=True):
            if cap > floor:
                load[phase] += cap - floor
    return all(
        total <= capacity + EPSILON
        for total, capacity in zip(load, capacity_a, strict=True)
    )


def _fill(
    capacity_a: Sequence[float],
    load: list[float],
    demands: Sequence[Demand],
    pilots: list[int],
    admitted: list[int],
) -> None:
    """Raise all admitted demands together until each hits its cap or a full row.

    The common level is in power (amps times phases drawn on).
    """
    level = MIN_CURRENT_A
    active = [index for index in admitted if demands[index].cap_a > MIN_CURRENT_A]
    while active:
        members: dict[int, list[tuple[int, float, int]]] = {}
        for index in active:
            demand = demands[index]
            for phase, floor in zip(demand.phases, demand.floor_a, strict=True):
                members.setdefault(phase, []).append(
                    (demand.cap_a, floor, demand.weight)
                )
        top = max(demands[index].cap_a * demands[index].weight for index in active)
        reach = {
            phase: _highest_level(capacity_a[phase] - load[phase], entries, level, top)
            for phase, entries in members.items()
        }
        new_level = min(reach.values())
        for phase, entries in members.items():
            load[phase] += _level_load(entries, new_level) - _level_load(entries, level)
        full = {phase for phase, highest in reach.items() if highest == new_level < top}
        level = new_level
        still_active = []
        for index in active:
            demand = demands[index]
            pilots[index] = _pilot_at(demand.cap_a, demand.weight, level)
            if pilots[index] < demand.cap_a and full.isdisjoint(demand.phases):
                still_active.append(index)
        active = still_active


def _level_load(entries: list[tuple[int, float, int]], level: int) -> float:
    """Return the current that (cap, floor, weight) entries add at a level."""
    total = 0.0
    for cap, floor, weight in entries:
        added = _pilot_at(cap, weight, level) - floor
        if added > 0.0:
            total += added
    return total


def _highest_level(
    room: float, entries: list[tuple[int, float, int]], level: int, top: int
) -> int:
    """Return the highest common level in [level, top] that fits in ``room``."""
    allowed = room + _level_load(entries, level) + EPSILON
    if _level_load(entries, top) <= allowed:
        return top
    low, high = level, top  # low adds nothing, high does not fit
    while high - low > 1:
        middle = (low + high) // 2
        if _level_load(entries, middle) <= allowed:
            low = middle
        else:
            high = middle
    return low


def _spread_remainder(
    capacity_a: Sequence[float],
    load: list[float],
    demands: Sequence[Demand],
    pilots: list[int],
    admitted: list[int],
) -> dict[int, int]:
    """Give the whole amps left over, one at a time, in admission order.

    Return, for each demand left below its cap, the phase that has no room.
    """
    full_phase: dict[int, int] = {}
    granted = True
    while granted:
        granted = False
        for index in admitted:
            demand = demands[index]
            pilot = pilots[index]
            if pilot >= demand.cap_a:
                continue
            steps = _added(demand, pilot, pilot + 1)
            blocking = _blocking(capacity_a, load, steps, free=False)
            if blocking is None:
                for row, step in steps.items():
                    load[row] += step
                pilots[index] = pilot + 1
                full_phase.pop(index, None)
                granted = True
            else:
                full_phase[index] = blocking
    return full_phase


def fit_measured(
    capacity_a: Sequence[float],
    drawn_a: Sequence[float],
    requests: Sequence[Request],
    tolerance_a: float,
    rise_capacity_a: Sequence[float] | None = None,
) -> list[Grant]:
    """Lower the requested pilots until Sum max(pilot, measured) fits each phase.

    ``drawn_a`` includes every request's measured current. A grant below its
    request names the phase that holds it down. Holds fit first; rises then
    fit ``rise_capacity_a`` (default ``capacity_a``), which may be tighter.
    """
    rise_capacity = capacity_a if rise_capacity_a is None else rise_capacity_a
    over = _over(capacity_a, drawn_a)
    over_for_rises = _over(rise_capacity, drawn_a)
    load = list(drawn_a)
    floors = [_floor(request, over, tolerance_a, load) for request in requests]
    held = [
        request.pilot_a
        if request.previous_a is None
        else min(request.pilot_a, request.previous_a)
        for request in requests
    ]
    grants = _fit(capacity_a, load, requests, floors, held)
    for request, floor, grant in zip(requests, floors, grants, strict=True):
        for phase, value in zip(request.phases, floor, strict=True):
            load[phase] += _cost(grant.pilot_a, value)
    blocked = over | over_for_rises
    rising = [
        index
        for index, request in enumerate(requests)
        if request.pilot_a > grants[index].pilot_a
        and blocked.isdisjoint(request.phases)
    ]
    if rising:
        second = _fit(
            rise_capacity,
            load,
            [requests[index] for index in rising],
            [tuple(max(v, grants[i].pilot_a) for v in floors[i]) for i in rising],
            [requests[index].pilot_a for index in rising],
        )
        for index, grant in zip(rising, second, strict=True):
            grants[index] = grant
    return [
        _held_by(request, grant, blocked)
        for request, grant in zip(requests, grants, strict=True)
    ]


def _floor(
    request: Request, over: set[int], tolerance_a: float, load: list[float]
) -> tuple[float, ...]:
    """Return a request's floor: its draw, + tolerance on a phase already over.

    ``load`` (which holds every draw) is raised by the tolerance added.
    """
    floor = []
    for phase, drawn in zip(request.phases, request.drawn_a, strict=True):
        value = drawn + (tolerance_a if phase in over else 0.0)
        load[phase] += value - drawn
        floor.append(value)
    return tuple(floor)


def _over(capacity_a: Sequence[float], drawn_a: Sequence[float]) -> set[int]:
    """Return the phases whose measured load alone exceeds the capacity."""
    return {
        phase
        for phase, (capacity, drawn) in enumerate(zip(capacity_a, drawn_a, strict=True))
        if drawn > capacity + EPSILON
    }


def _held_by(request: Request, grant: Grant, blocked: set[int]) -> Grant:
    """Name the phase over its capacity that holds a request at its previous pilot."""
    if grant.pilot_a < request.pilot_a and grant.limited_by is None:
        phase = next(phase for phase in request.phases if phase in blocked)
        return Grant(grant.pilot_a, phase, starved=True)
    return grant


def _fit(
    capacity_a: Sequence[float],
    load: Sequence[float],
    requests: Sequence[Request],
    floors: Sequence[tuple[float, ...]],
    caps: Sequence[int],
) -> list[Grant]:
    """Share the room above ``load`` (which counts every floor) up to ``caps``.

    A pilot up to its own floor on every phase is free: it is kept whatever
    the room (rounded down to whole amps, 0 below 6 A).
    """
    sharing = [index for index, cap in enumerate(caps) if cap >= MIN_CURRENT_A]
    shared = allocate(
        capacity_a,
        load,
        [
            Demand(
                requests[index].phases,
                caps[index],
                floors[index],
                requests[index].weight,
            )
            for index in sharing
        ],
    )
    grants = [Grant(0, None)] * len(requests)
    for index, grant in zip(sharing, shared, strict=True):
        own = math.floor(min(floors[index]) + EPSILON)
        own = min(caps[index], own) if own >= MIN_CURRENT_A else 0
        if own > grant.pilot_a:
            limited_by = None if own == caps[index] else grant.limited_by
            grants[index] = Grant(own, limited_by, grant.starved)
        else:
            grants[index] = grant
    return grants
