"""The engine's configuration from what the flows store; no Home Assistant import.

``settings.engine_config`` and the benchmark both call ``site_config``: the
site entry's data and options (live values laid over them), each charger's
and each group's subentry data become one ``SiteConfig``, timing included.
A group or charger naming a group no longer stored sits in the panel.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import math
from typing import Any

from .const import (
    CONF_BACKED_UP_PHASES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_GROUP,
    CONF_INCREASE_DEADBAND,
    CONF_INCREASE_INTERVAL,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_NOT_DRAWING_AFTER,
    CONF_OUTAGE_MARGIN,
    CONF_PANEL_LIMIT,
    CONF_PARENT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PHASES,
    CONF_POWERWALL_UNITS,
    CONF_REGION,
    CONF_RESUME_DELAY,
    CONF_ROTATION_INTERVAL,
    CONF_SAFETY_MARGIN,
    CONF_STALE_FALLBACK,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    CONF_WIRED_PHASE,
    DEFAULT_CHARGING_THRESHOLD,
    DEFAULT_DISCHARGE_CAPABILITY,
    DEFAULT_OUTAGE_MARGIN,
    DEFAULT_SAFETY_MARGIN,
    NAMEPLATE_CURRENT,
    BackedUpPhases,
    Supply,
    WiredPhase,
)
from .engine import (
    ChargerConfig,
    CircuitConfig,
    OutageConfig,
    Region,
    SiteConfig,
    Timing,
)

TIMING_OPTIONS = {
    CONF_METER_STALE: "meter_stale_s",
    CONF_INCREASE_INTERVAL: "increase_interval_s",
    CONF_INCREASE_DEADBAND: "increase_deadband_a",
    CONF_RESUME_DELAY: "resume_delay_s",
    CONF_ROTATION_INTERVAL: "rotation_interval_s",
    CONF_NOT_DRAWING_AFTER: "not_drawing_after_s",
}


@dataclass(frozen=True, slots=True)
class ChargerEntry:
    """One charger: its subentry data and its live settings."""

    charger_id: str
    data: Mapping[str, Any]
    power_level_a: int | None = None
    priority: int = 0
    managed: bool = True
    enabled: bool = True


def has_meter(options: Mapping[str, Any]) -> bool:
    """Return whether dynamic power management has a meter to work from."""
    return (
        bool(
            options.get(CONF_GRID_POWER_ENTITY)
            or options.get(CONF_PHASE_CURRENT_ENTITIES)
        )
        and options.get(CONF_PANEL_LIMIT) is not None
    )


def has_powerwall(options: Mapping[str, Any]) -> bool:
    """Return whether outage charging has a Powerwall to work from."""
    return bool(
        options.get(CONF_GRID_STATUS_ENTITY) and options.get(CONF_BATTERY_LEVEL_ENTITY)
    )


def charger_phases(
    data: Mapping[str, Any], charger: Mapping[str, Any]
) -> tuple[int, ...]:
    """Return the site phases (0 = L1) a charger draws on."""
    if data[CONF_SUPPLY] != Supply.THREE_PHASE:
        return (0,)
    if charger.get(CONF_PHASES) == 3:
        return (0, 1, 2)
    wired = WiredPhase(charger.get(CONF_WIRED_PHASE, WiredPhase.L1))
    return (list(WiredPhase).index(wired),)


def backed_up_phases(
    data: Mapping[str, Any], options: Mapping[str, Any]
) -> tuple[int, ...]:
    """Return the phases the Powerwall keeps live: every phase only if told so."""
    if data[CONF_SUPPLY] != Supply.THREE_PHASE:
        return (0,)
    every = options.get(CONF_BACKED_UP_PHASES) == BackedUpPhases.ALL
    return (0, 1, 2) if every else (0,)


def circuits(groups: Mapping[str, Mapping[str, Any]]) -> tuple[CircuitConfig, ...]:
    """Return each group subentry (by id) as a circuit; an unknown parent: none.

    A limit that cannot be read, or a group in a loop of parents (a hand-edited
    store), is reserved: 0 A behind it, never unlimited.
    """
    parents = {
        group_id: group.get(CONF_PARENT) if group.get(CONF_PARENT) in groups else None
        for group_id, group in groups.items()
    }
    result = []
    for group_id, group in groups.items():
        limit = _group_limit(group.get(CONF_NETWORK_LIMIT))
        parent = parents[group_id]
        if in_a_loop(group_id, parents):
            limit, parent = 0.0, None
        result.append(CircuitConfig(group_id, limit, parent))
    return tuple(result)


def _group_limit(value: Any) -> float:
    """Return a stored group limit, 0 A if it is not a finite number >= 0."""
    try:
        limit = float(value)
    except TypeError, ValueError:
        return 0.0
    return limit if math.isfinite(limit) and limit >= 0 else 0.0


def in_a_loop(group_id: str, parents: Mapping[str, str | None]) -> bool:
    """Whether following the parents from ``group_id`` comes back round."""
    seen, current = {group_id}, parents[group_id]
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents[current]
    return False


def _outage(
    data: Mapping[str, Any], options: Mapping[str, Any], share_surplus_solar: bool
) -> OutageConfig | None:
    """Return outage charging as configured, or None without a Powerwall."""
    if not has_powerwall(options):
        return None
    return OutageConfig(
        charging_threshold_pct=options.get(
            CONF_CHARGING_THRESHOLD, DEFAULT_CHARGING_THRESHOLD
        ),
        share_surplus_solar=share_surplus_solar,
        discharge_capability_w=1000.0
        * options.get(CONF_DISCHARGE_CAPABILITY, DEFAULT_DISCHARGE_CAPABILITY)
        * options.get(CONF_POWERWALL_UNITS, 1),
        backed_up_phases=backed_up_phases(data, options),
        margin_pct=float(options.get(CONF_OUTAGE_MARGIN, DEFAULT_OUTAGE_MARGIN)),
    )


def site_config(
    data: Mapping[str, Any],
    options: Mapping[str, Any],
    chargers: Sequence[ChargerEntry],
    *,
    share_surplus_solar: bool = True,
    groups: Mapping[str, Mapping[str, Any]] | None = None,
) -> SiteConfig:
    """Return the engine's configuration of a site as the flows stored it.

    ``groups``: each group subentry's data by subentry id.
    """
    region = Region(data[CONF_REGION])
    groups = groups or {}
    outage = _outage(data, options, share_surplus_solar)
    stale = options.get(CONF_STALE_FALLBACK)
    return SiteConfig(
        chargers=tuple(
            ChargerConfig.from_hardware(
                c.charger_id,
                region,
                c.data[CONF_BREAKER],
                NAMEPLATE_CURRENT[region],
                c.power_level_a,
                phases=charger_phases(data, c.data),
                priority=c.priority,
                managed=c.managed,
                enabled=c.enabled,
                circuit=c.data.get(CONF_GROUP)
                if c.data.get(CONF_GROUP) in groups
                else None,
            )
            for c in chargers
        ),
        phase_count=3 if data[CONF_SUPPLY] == Supply.THREE_PHASE else 1,
        voltage_v=data[CONF_VOLTAGE],
        network_limit_a=options.get(CONF_NETWORK_LIMIT),
        panel_limit_a=options[CONF_PANEL_LIMIT] if has_meter(options) else None,
        panel_margin_a=options.get(CONF_SAFETY_MARGIN, DEFAULT_SAFETY_MARGIN),
        outage=outage,
        stale_budget_a=None if stale is None else int(stale),
        circuits=circuits(groups),
        timing=Timing(
            **{
                field_name: options[key]
                for key, field_name in TIMING_OPTIONS.items()
                if key in options
            }
        ),
    )
