"""Step 2 of an evaluation: the load already on each phase before any sharing.

Two sums per phase: what the sharing counts (``committed``: draws that are
not a pilot's, steady offsets, reservations) and what the fit starts from
(``drawn``: everything measured, and the last pilots of units not read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math

from .allocator import EPSILON
from .budget import SiteBudget
from .classify import Asking, Idle, Kind, Unmanaged, Unreachable, on_phases, static_cap
from .limits import MIN_CURRENT_A, fallback_limit
from .model import ChargerConfig, LimitReason, SiteConfig


@dataclass(frozen=True, slots=True)
class BaseLoad:
    """Per phase: what the sharing counts, and what the fit starts from."""

    committed_a: tuple[float, ...]
    drawn_a: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Fallback:
    """An unreachable unit's fallback pilot, its reason and its reservation."""

    unit: Unreachable
    pilot_a: int
    reason: LimitReason
    reserved_a: tuple[float, ...]


def network_current(
    config: SiteConfig, measured: Sequence[tuple[float, ...] | None]
) -> tuple[float, ...]:
    """Return the measured current of every readable charger, per site phase."""
    total = [0.0] * config.phase_count
    for charger, per_phase in zip(config.chargers, measured, strict=True):
        if per_phase is not None:
            for phase in charger.phases:
                total[phase] += per_phase[phase]
    return tuple(total)


def base_load(phase_count: int, kinds: Sequence[Kind]) -> BaseLoad:
    """Sum what the readable and unmanaged chargers already put on each phase."""
    committed = [0.0] * phase_count
    drawn = [0.0] * phase_count
    for kind in kinds:
        if isinstance(kind, Unmanaged):
            counted, measured = kind.load_a, kind.load_a
        elif isinstance(kind, Idle | Asking):
            counted, measured = kind.committed_a, kind.measured_a
        else:
            continue
        for phase in range(phase_count):
            committed[phase] += counted[phase]
            drawn[phase] += measured[phase]
    return BaseLoad(tuple(committed), tuple(drawn))


def fallbacks(
    config: SiteConfig,
    units: Sequence[Unreachable],
    budget: SiteBudget,
    load: BaseLoad,
) -> tuple[tuple[Fallback, ...], BaseLoad]:
    """Give each unreachable unit its fallback within the room left, in order."""
    committed = list(load.committed_a)
    drawn = list(load.drawn_a)
    result = []
    for unit in units:
        fallback = _fallback(config, unit, budget, committed)
        result.append(fallback)
        for phase in unit.phases:
            committed[phase] += fallback.reserved_a[phase]
            drawn[phase] += float(unit.last_a)
    return tuple(result), BaseLoad(tuple(committed), tuple(drawn))


def _fallback(
    config: SiteConfig, unit: Unreachable, budget: SiteBudget, committed: list[float]
) -> Fallback:
    """Command the fallback limit (within the room left) and reserve for it."""
    charger, phases = unit.charger, unit.phases
    pilot = 0
    reason = LimitReason.DISABLED
    if charger.enabled:
        reason = LimitReason.FALLBACK_UNREACHABLE
        if phases:
            room = min(budget.capacity_a[phase] - committed[phase] for phase in phases)
            cap, _ = static_cap(config, charger, unit.memory, budget)
            pilot = min(site_fallback_limit(config, charger), cap)
            if room < pilot:
                pilot = math.floor(room + EPSILON)
            if pilot < MIN_CURRENT_A:
                pilot = 0
    reserved = on_phases(phases, config.phase_count, float(max(unit.last_a, pilot)))
    return Fallback(unit, pilot, reason, reserved)


def site_fallback_limit(config: SiteConfig, charger: ChargerConfig) -> int:
    """Return the fallback fair limit: the group's (else panel's) limit shared."""
    if config.network_limit_a is not None:
        shared = config.network_limit_a
    elif config.panel_limit_a is not None:
        shared = config.panel_limit_a - config.panel_margin_a
    else:
        return charger.max_current_a
    return fallback_limit(shared, len(config.chargers), charger.max_current_a)
