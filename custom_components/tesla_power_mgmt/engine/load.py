"""Step 2 of an evaluation: the load already on each row before any sharing.

Two sums per row: what the sharing counts (``committed``: draws that are
not a pilot's, steady offsets, reservations) and what the fit starts from
(``drawn``: everything measured, and the last pilots of units not read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
import math

from .allocator import EPSILON, Request
from .budget import SiteBudget
from .classify import Asking, Idle, Kind, Unmanaged, Unreachable, on_phases, static_cap
from .layout import Layout, circuit_path
from .limits import MIN_CURRENT_A, fallback_limit
from .model import ChargerConfig, LimitReason, SiteConfig
from .pacing import pace


@dataclass(frozen=True, slots=True)
class BaseLoad:
    """Per row: what the sharing counts, and what the fit starts from."""

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


def base_load(rows: Layout, kinds: Sequence[Kind]) -> BaseLoad:
    """Sum what the readable and unmanaged chargers already put on each row."""
    committed = [0.0] * len(rows.capacity_a)
    drawn = [0.0] * len(rows.capacity_a)
    for kind in kinds:
        if isinstance(kind, Unmanaged):
            counted, measured = kind.load_a, kind.load_a
        elif isinstance(kind, Idle | Asking):
            counted, measured = kind.committed_a, kind.measured_a
        else:
            continue
        charger_id = kind.charger.charger_id
        _add(committed, rows.spread(charger_id, counted))
        _add(drawn, rows.spread(charger_id, measured))
    return BaseLoad(tuple(committed), tuple(drawn))


def _add(total: list[float], added: Sequence[float]) -> None:
    for row, value in enumerate(added):
        total[row] += value


def fallbacks(
    config: SiteConfig,
    rows: Layout,
    units: Sequence[Unreachable],
    budget: SiteBudget,
    load: BaseLoad,
    *,
    now: float,
) -> tuple[tuple[Fallback, ...], BaseLoad]:
    """Give each unreachable unit its fallback within the room left, in order."""
    committed = list(load.committed_a)
    drawn = list(load.drawn_a)
    result = []
    for unit in units:
        charger_id = unit.charger.charger_id
        unit_rows = {
            row for phase in unit.phases for row in rows.rows[charger_id][phase]
        }
        room = min((rows.capacity_a[r] - committed[r] for r in unit_rows), default=0.0)
        fallback = _fallback(config, unit, budget, room, now)
        result.append(fallback)
        counted = float(max(unit.last_a, fallback.pilot_a))
        _add(committed, rows.spread(charger_id, fallback.reserved_a))
        _add(committed, unseen_extra(config, rows, unit, counted))
        last = on_phases(unit.phases, config.phase_count, float(unit.last_a))
        _add(drawn, rows.spread(charger_id, last))
        _add(drawn, unseen_extra(config, rows, unit, float(unit.last_a)))
    return tuple(result), BaseLoad(tuple(committed), tuple(drawn))


def _fallback(
    config: SiteConfig, unit: Unreachable, budget: SiteBudget, room: float, now: float
) -> Fallback:
    """Command the fallback limit (within the room left, paced) and reserve for it."""
    charger, phases = unit.charger, unit.phases
    pilot = 0
    reason = LimitReason.DISABLED
    if charger.enabled:
        reason = LimitReason.FALLBACK_UNREACHABLE
        if phases:
            cap, _ = static_cap(charger, unit.memory, budget)
            limit = min(site_fallback_limit(config, charger), cap)
            pilot = limit if room >= limit else math.floor(room + EPSILON)
            if pilot < MIN_CURRENT_A:
                pilot = 0
            # Rises paced as every pilot's: no +1 A step on every poll.
            paced = pace(
                unit.memory, pilot, reason, cap_a=limit, now=now, timing=config.timing
            )
            pilot = paced.pilot_a
    reserved = on_phases(phases, config.phase_count, float(max(unit.last_a, pilot)))
    return Fallback(unit, pilot, reason, reserved)


def unseen_extra(
    config: SiteConfig, rows: Layout, unit: Unreachable, counted_a: float
) -> list[float]:
    """Per row, what the unit may draw beyond ``counted_a`` where no meter sees it.

    With no car known at the unit, one may arrive and draw its own setting, up
    to the unit's maximum, before any command reaches it.
    """
    if not car_unknown(unit):
        return [0.0] * len(rows.capacity_a)
    extra = unit.charger.max_current_a - counted_a
    added = rows.spread(
        unit.charger.charger_id, on_phases(unit.phases, config.phase_count, extra)
    )
    return [
        value if unseen else 0.0
        for value, unseen in zip(added, rows.unseen, strict=True)
    ]


def fallback_request(config: SiteConfig, rows: Layout, fallback: Fallback) -> Request:
    """Return the fit's request for a fallback: drawn at its worst where unseen."""
    unit = fallback.unit
    extra = unseen_extra(config, rows, unit, float(unit.last_a))
    request = rows.request(
        unit.charger.charger_id,
        Request(
            unit.phases,
            fallback.pilot_a,
            (float(unit.last_a),) * len(unit.phases),
            unit.last_a,
        ),
    )
    drawn = tuple(
        value + extra[row]
        for row, value in zip(request.phases, request.drawn_a, strict=True)
    )
    return replace(request, drawn_a=drawn)


def car_unknown(unit: Unreachable) -> bool:
    """No car was seen following a pilot at the unit before it went blind."""
    return unit.memory is None or unit.memory.reason is LimitReason.NO_VEHICLE


def site_fallback_limit(config: SiteConfig, charger: ChargerConfig) -> int:
    """Return the fallback fair limit: the tightest group's limit shared equally.

    Its circuits', the site network limit's, else the panel's.
    """
    parents = {circuit.circuit_id: circuit.parent for circuit in config.circuits}
    limits = {circuit.circuit_id: circuit.limit_a for circuit in config.circuits}
    behind = dict.fromkeys(limits, 0)
    for other in config.chargers:
        for circuit_id in circuit_path(other, parents):
            behind[circuit_id] += 1
    shares = [
        fallback_limit(limits[c], behind[c], charger.max_current_a)
        for c in circuit_path(charger, parents)
    ]
    if config.network_limit_a is not None:
        shared: float | None = config.network_limit_a
    elif config.panel_limit_a is not None:
        shared = config.panel_limit_a - config.panel_margin_a
    else:
        shared = None
    if shared is not None:
        shares.append(
            fallback_limit(shared, len(config.chargers), charger.max_current_a)
        )
    return min(shares, default=charger.max_current_a)
