"""The site's budget for all vehicles together, per phase, and why.

Network limit, panel headroom (from the meter) and the stale budget per
phase, the tightest on a phase winning and naming the reason; and the outage
budget (from the Powerwall), one power over the backed-up phases. See
docs/engine.md, "Limits".
"""

from __future__ import annotations

from dataclasses import dataclass
import math

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
    now: float,
) -> SiteBudget:
    """Combine outage budget, panel headroom and network limit, per phase."""
    timing, stale = config.timing, set[SiteInput]()
    levels: list[tuple[tuple[float, ...], LimitReason]] = []
    home_load = None
    if meter is not None and now - meter.at <= timing.meter_stale_s:
        home_load = _home_load(config, meter, ev_current_a)
    outage_power_w, holding = None, False
    outage_reason = LimitReason.OUTAGE_BATTERY
    live = tuple(range(config.phase_count))
    if config.outage is not None:
        if powerwall is None or now - powerwall.at > timing.powerwall_stale_s:
            stale.add(SiteInput.POWERWALL)
        elif not powerwall.grid_up:
            holding = _holding(config.outage, powerwall.battery_pct, outage_holding)
            outage_power_w, outage_reason = _outage_power(
                config.outage, powerwall, sum(ev_current_a) * config.voltage_v, holding
            )
            live = config.outage.backed_up_phases
    panel_headroom = None
    if config.panel_limit_a is not None:
        if home_load is None:
            stale.add(SiteInput.METER)
        else:
            limit = config.panel_limit_a - config.panel_margin_a
            panel_headroom = tuple(limit - max(load, 0.0) for load in home_load)
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
    if panel_headroom is not None and outage_power_w is not None:
        panel_headroom = within_outage(panel_headroom, live, outage_power_w, config)
    return SiteBudget(
        capacity_a=capacity,
        reasons=reasons,
        outage_row_a=None
        if outage_power_w is None
        else outage_power_w / config.voltage_v,
        outage_reason=outage_reason,
        live_phases=live,
        outage_active=outage_power_w is not None,
        outage_holding=holding,
        outage_power_w=outage_power_w,
        panel_headroom_a=panel_headroom,
        home_load_a=home_load,
        stale_inputs=frozenset(stale),
    )


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
