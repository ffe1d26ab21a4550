"""Admission at 6 A and max-min fair sharing (water-filling) in whole amps.

The allocator knows nothing of chargers or reasons: it gets, per phase, a
capacity and a load already committed, and a list of demands in admission
order (each: its phases, its cap, and a floor per phase, the measured current
of a vehicle that does not follow, which is counted whatever its pilot).

1. Admission: in order, each demand is admitted if 6 A more fits on all its
   phases (or costs nothing, its floor being 6 A or more); the others get 0 A.
2. Water-filling: all admitted rise together, one level for all; a demand
   stops at its cap or when one of its phases is full.
3. Whole amps: the amps left over on a phase go, one at a time and in
   admission order, to demands whose phases all have room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .limits import MIN_CURRENT_A

EPSILON = 1e-9  # float sums of measured currents must not fail an exact fit


@dataclass(frozen=True, slots=True)
class Demand:
    """A vehicle asking for current: its phases, its cap, its floor per phase."""

    phases: tuple[int, ...]
    cap_a: int
    floor_a: tuple[float, ...]


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


def _cost(pilot: float, floor: float) -> float:
    """Return the current a pilot adds on a phase beyond the floor counted."""
    return max(pilot - floor, 0.0)


def allocate(
    capacity_a: Sequence[float],
    committed_a: Sequence[float],
    demands: Sequence[Demand],
) -> list[Grant]:
    """Share the capacity among the demands; ``committed_a`` includes every floor."""
    load = list(committed_a)
    pilots = [0] * len(demands)
    admitted: list[int] = []
    grants: dict[int, Grant] = {}

    for index, demand in enumerate(demands):
        extra = [_cost(MIN_CURRENT_A, floor) for floor in demand.floor_a]
        blocking = next(
            (
                (phase, added)
                for phase, added in zip(demand.phases, extra, strict=True)
                # Admitting a vehicle that already draws 6 A costs nothing.
                if added > 0 and load[phase] + added > capacity_a[phase] + EPSILON
            ),
            None,
        )
        if blocking is None:
            for phase, added in zip(demand.phases, extra, strict=True):
                load[phase] += added
            pilots[index] = MIN_CURRENT_A
            admitted.append(index)
        else:
            phase, added = blocking
            starved = committed_a[phase] + added > capacity_a[phase] + EPSILON
            grants[index] = Grant(0, phase, starved)

    _fill(capacity_a, load, demands, pilots, admitted)
    full_phase = _spread_remainder(capacity_a, load, demands, pilots, admitted)
    for index in admitted:
        grants[index] = Grant(pilots[index], full_phase.get(index))
    return [grants[index] for index in range(len(demands))]


def _fill(
    capacity_a: Sequence[float],
    load: list[float],
    demands: Sequence[Demand],
    pilots: list[int],
    admitted: list[int],
) -> None:
    """Raise all admitted demands together until each hits its cap or a full phase."""
    level = MIN_CURRENT_A
    active = [index for index in admitted if demands[index].cap_a > level]
    while active:
        members: dict[int, list[tuple[int, float]]] = {}
        for index in active:
            demand = demands[index]
            for phase, floor in zip(demand.phases, demand.floor_a, strict=True):
                members.setdefault(phase, []).append((demand.cap_a, floor))
        top = max(demands[index].cap_a for index in active)
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
            pilots[index] = min(demand.cap_a, level)
            if demand.cap_a > level and full.isdisjoint(demand.phases):
                still_active.append(index)
        active = still_active


def _level_load(entries: list[tuple[int, float]], level: int) -> float:
    """Return the current that (cap, floor) entries add at a common level."""
    return sum(max(min(cap, level) - floor, 0.0) for cap, floor in entries)


def _highest_level(
    room: float, entries: list[tuple[int, float]], level: int, top: int
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
            steps = [
                (phase, _cost(pilot + 1, floor) - _cost(pilot, floor))
                for phase, floor in zip(demand.phases, demand.floor_a, strict=True)
            ]
            blocking = next(
                (
                    phase
                    for phase, step in steps
                    if load[phase] + step > capacity_a[phase] + EPSILON
                ),
                None,
            )
            if blocking is None:
                for phase, step in steps:
                    load[phase] += step
                pilots[index] = pilot + 1
                full_phase.pop(index, None)
                granted = True
            else:
                full_phase[index] = blocking
    return full_phase
