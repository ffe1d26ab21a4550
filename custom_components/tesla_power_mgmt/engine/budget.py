"""The site's budget for all vehicles together, per phase, and why.

Network limit, panel headroom (from the meter) and the stale budget per
phase, the tightest on a phase winning and naming the reason; and the outage
budget (from the Powerwall), one power over the backed-up phases. See
docs/engine.md, "Limits".
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .cadence import Cadence, stale_after, unseen_rise_a
from .model import (
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    SiteConfig,
    SiteInput,
)

UNLIMITED = math.inf
STALE_BUDGET_A = 6
"""Default stale budget: all vehicles together per phase, the lowest charging."""


@dataclass(frozen=True, slots=True)
class SiteBudget:
    """The EV budget per phase and what set it; the outage budget in amps.

    ``reasons[p]`` is the level binding ``capacity_a[p]``; on an unlimited phase
    it is never used (nothing saturates at infinity). ``outage_row_a``: the
    outage power over the site voltage, shared by every backed-up phase.
    """

    capacity_a: tuple[float, ...]
    reasons: tuple[LimitReason, ...]
    outage_row_a: float | None
    outage_reason: LimitReason
    live_phases: tuple[int, ...]
    outage_active: bool
    outage_holding: bool
    outage_power_w: float | None
    panel_headroom_a: tuple[float, ...] | None
    home_load_a: tuple[float, ...] | None
    stale_inputs: frozenset[SiteInput]


def site_budget(
    config: SiteConfig,
    meter: MeterReading | None,
    powerwall: PowerwallReading | None,
    *,
    ev_current_a: tuple[float, ...],
    outage_holding: bool,
    cadences: tuple[Cadence, Cadence],
    now: float,
) -> SiteBudget:
    """Combine outage budget, panel headroom and network limit, per phase.

    ``cadences``: the meter's and the Powerwall's, learned up to this reading.
    """
    stale = set[SiteInput]()
    levels: list[tuple[tuple[float, ...], LimitReason]] = []
    home_load, panel_headroom = _meter_headroom(
        config, meter, cadences[0], ev_current_a, now
    )
    outage = _grid_up(config)
    if config.outage is not None:
        known = _outage(
            config, powerwall, cadences[1], ev_current_a, now, outage_holding
        )
        if known is None:
            stale.add(SiteInput.POWERWALL)
        else:
            outage = known
    if config.panel_limit_a is not None:
        if panel_headroom is None:
            stale.add(SiteInput.METER)
        else:
            levels.append((panel_headroom, LimitReason.PANEL_HEADROOM))
    if config.network_limit_a is not None:
        levels.append(
            ((config.network_limit_a,) * config.phase_count, LimitReason.NETWORK_LIMIT)
        )
    if stale:
        budget = (
            STALE_BUDGET_A if config.stale_budget_a is None else config.stale_budget_a
        )
        levels.append(((float(budget),) * config.phase_count, LimitReason.STALE_INPUT))
    capacity, reasons = _tightest(config.phase_count, levels)
    if panel_headroom is not None and outage.power_w is not None:
        panel_headroom = within_outage(
            panel_headroom, outage.live, outage.power_w, config
        )
    return SiteBudget(
        capacity_a=capacity,
        reasons=reasons,
        outage_row_a=None
        if outage.power_w is None
        else outage.power_w / config.voltage_v,
        outage_reason=outage.reason,
        live_phases=outage.live,
        outage_active=outage.power_w is not None,
        outage_holding=outage.holding,
        outage_power_w=outage.power_w,
        panel_headroom_a=panel_headroom,
        home_load_a=home_load,
        stale_inputs=frozenset(stale),
    )


@dataclass(frozen=True, slots=True)
class _Outage:
    """The outage budget (None: the grid is up), why, the latch, the live phases."""

    power_w: float | None
    reason: LimitReason
    holding: bool
    live: tuple[int, ...]


def _grid_up(config: SiteConfig) -> _Outage:
    """No outage: every phase is live."""
    return _Outage(
        None, LimitReason.OUTAGE_BATTERY, False, tuple(range(config.phase_count))
    )


def _meter_headroom(
    config: SiteConfig,
    meter: MeterReading | None,
    cadence: Cadence,
    ev_current_a: tuple[float, ...],
    now: float,
) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
    """Return the home load and the panel headroom per phase; None while stale.

    The headroom keeps back what the load may have risen unseen.
    """
    timing = config.timing
    if meter is None or now - meter.at > stale_after(cadence, timing.meter_stale_s):
        return None, None
    home_load = _home_load(config, meter, ev_current_a)
    if home_load is None or config.panel_limit_a is None:
        return home_load, None
    reserve = unseen_rise_a(cadence, now - meter.at, timing.unseen_rise_a_per_min)
    limit = config.panel_limit_a - config.panel_margin_a - reserve
    return home_load, tuple(limit - max(load, 0.0) for load in home_load)


def _outage(  # noqa: PLR0917 -- the Powerwall's reading and its context
    config: SiteConfig,
    powerwall: PowerwallReading | None,
    cadence: Cadence,
    ev_current_a: tuple[float, ...],
    now: float,
    was_holding: bool,
) -> _Outage | None:
    """Return the outage budget, or None while the Powerwall's reading is stale."""
    timing, outage = config.timing, config.outage
    if outage is None or powerwall is None:
        return None
    if now - powerwall.at > stale_after(cadence, timing.powerwall_stale_s):
        return None
    if powerwall.grid_up:
        return _grid_up(config)
    holding = _holding(outage, powerwall.battery_pct, was_holding)
    ev_w = sum(ev_current_a) * config.voltage_v
    power_w, reason = _outage_power(outage, powerwall, ev_w, holding)
    reserve = unseen_rise_a(cadence, now - powerwall.at, timing.unseen_rise_a_per_min)
    power_w = max(power_w - reserve * config.voltage_v, 0.0)
    return _Outage(power_w, reason, holding, outage.backed_up_phases)


def within_outage(
    figures: tuple[float, ...],
    live: tuple[int, ...],
    power_w: float,
    config: SiteConfig,
) -> tuple[float, ...]:
    """Return per-phase figures shown in an outage: at most what the Powerwall gives.

    Nothing on a phase it does not back up.
    """
    most = power_w / config.voltage_v
    return tuple(
        min(value, most) if phase in live else 0.0
        for phase, value in enumerate(figures)
    )


def _tightest(
    phase_count: int, levels: list[tuple[tuple[float, ...], LimitReason]]
) -> tuple[tuple[float, ...], tuple[LimitReason, ...]]:
    """Return per phase the lowest level and its reason (first wins a tie)."""
    capacity = [UNLIMITED] * phase_count
    reasons = [LimitReason.POWER_LEVEL] * phase_count
    for limits, reason in levels:
        for phase, limit in enumerate(limits):
            if limit < capacity[phase]:
                capacity[phase] = float(limit)
                reasons[phase] = reason
    return tuple(capacity), tuple(reasons)


def _home_load(
    config: SiteConfig, meter: MeterReading, ev_current_a: tuple[float, ...]
) -> tuple[float, ...] | None:
    """Return the home's own load per phase (never negative), None if unusable."""
    if meter.phase_current_a is not None:
        if len(meter.phase_current_a) != config.phase_count:
            return None
        return tuple(
            max(grid - ev, 0.0)
            for grid, ev in zip(meter.phase_current_a, ev_current_a, strict=True)
        )
    if meter.power_w is None:
        return None
    voltage = (
        meter.voltage_v if meter.voltage_v and meter.voltage_v > 0 else config.voltage_v
    )
    home_w = meter.power_w - sum(ev_current_a) * voltage
    # Unknown split over phases: all of it may sit on any one phase.
    return (max(home_w / voltage, 0.0),) * config.phase_count


def _holding(outage: OutageConfig, battery_pct: float, was_holding: bool) -> bool:
    """Whether the battery is held at its charging threshold (with hysteresis)."""
    if was_holding:
        return battery_pct < outage.charging_threshold_pct + outage.hysteresis_pct
    return battery_pct <= outage.charging_threshold_pct


def _outage_power(
    outage: OutageConfig,
    powerwall: PowerwallReading,
    ev_power_w: float,
    holding: bool,
) -> tuple[float, LimitReason]:
    """Return the power the vehicles may take from the Powerwall, and why."""
    home_w = max(powerwall.site_load_w - ev_power_w, 0.0)
    if not holding:
        usable_w = outage.discharge_capability_w * (1.0 - outage.margin_pct / 100.0)
        power = usable_w - home_w + powerwall.solar_w
        return max(power, 0.0), LimitReason.OUTAGE_BATTERY
    surplus = powerwall.solar_w - home_w if outage.share_surplus_solar else 0.0
    if surplus > 0:
        return surplus, LimitReason.OUTAGE_SOLAR
    # Battery at its threshold and no surplus solar: nothing to give.
    return 0.0, LimitReason.OUTAGE_BATTERY
