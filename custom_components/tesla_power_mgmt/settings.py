"""What the user sets at run time, and the engine configuration built from it.

The config entry holds what the user configured; the number and switch
entities let them change the live values (power levels, priorities, limits,
the charging threshold) without a reload. Both meet here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_CURRENT_ENTITY,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_INCREASE_DEADBAND,
    CONF_INCREASE_INTERVAL,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_NOT_DRAWING_AFTER,
    CONF_PANEL_LIMIT,
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
    DEFAULT_SAFETY_MARGIN,
    NAMEPLATE_CURRENT,
    SUBENTRY_TYPE_CHARGER,
    Supply,
    WiredPhase,
)
from .engine import (
    ChargerConfig,
    OutageConfig,
    Region,
    SiteConfig,
    Timing,
    charger_max_current,
)

# A boosted charger outranks every priority a user can set.
BOOST_PRIORITY = 1000

_TIMING_OPTIONS = {
    CONF_METER_STALE: "meter_stale_s",
    CONF_INCREASE_INTERVAL: "increase_interval_s",
    CONF_INCREASE_DEADBAND: "increase_deadband_a",
    CONF_RESUME_DELAY: "resume_delay_s",
    CONF_ROTATION_INTERVAL: "rotation_interval_s",
    CONF_NOT_DRAWING_AFTER: "not_drawing_after_s",
}


@dataclass(slots=True)
class ChargerSettings:
    """Live settings of one charger."""

    power_level_a: int | None = None  # None: as much as the hardware allows
    priority: int = 0
    managed: bool = True
    paused: bool = False  # by the pause service
    boost_until: float | None = None  # epoch seconds
    # Why setup refused to command it (a repair says so); never commanded then.
    refused: str | None = None

    @property
    def commandable(self) -> bool:
        """Return whether its vehicle may be commanded at all."""
        return self.managed and self.refused is None


@dataclass(slots=True)
class SiteSettings:
    """Live settings of the site; limits start from the entry's options."""

    network_limit_a: float | None
    panel_limit_a: float | None
    safety_margin_a: float
    charging_threshold_pct: float
    share_surplus_solar: bool = True
    management_enabled: bool = True
    # The saved configuration was unusable and nothing good was known before:
    # every charger is only monitored (see config_check).
    monitor_only: bool = False
    chargers: dict[str, ChargerSettings] = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> SiteSettings:
        """Start from what the user configured."""
        options = entry.options
        return cls(
            network_limit_a=options.get(CONF_NETWORK_LIMIT),
            panel_limit_a=options.get(CONF_PANEL_LIMIT),
            safety_margin_a=options.get(CONF_SAFETY_MARGIN, DEFAULT_SAFETY_MARGIN),
            charging_threshold_pct=options.get(
                CONF_CHARGING_THRESHOLD, DEFAULT_CHARGING_THRESHOLD
            ),
            chargers={
                subentry_id: ChargerSettings()
                for subentry_id in charger_subentries(entry)
            },
        )


def charger_subentries(entry: ConfigEntry) -> dict[str, ConfigSubentry]:
    """Return the entry's chargers by subentry id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_TYPE_CHARGER
    }


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


def hardware_max_current(entry: ConfigEntry, subentry: ConfigSubentry) -> int:
    """Return a charger's maximum from its breaker and nameplate alone."""
    region = Region(entry.data[CONF_REGION])
    return charger_max_current(
        region, subentry.data[CONF_BREAKER], NAMEPLATE_CURRENT[region]
    )


def charger_phases(entry: ConfigEntry, subentry: ConfigSubentry) -> tuple[int, ...]:
    """Return the site phases (0 = L1) a charger draws on."""
    if entry.data[CONF_SUPPLY] != Supply.THREE_PHASE:
        return (0,)
    if subentry.data.get(CONF_PHASES) == 3:
        return (0, 1, 2)
    wired = WiredPhase(subentry.data.get(CONF_WIRED_PHASE, WiredPhase.L1))
    return (list(WiredPhase).index(wired),)


def engine_config(
    entry: ConfigEntry,
    subentries: Mapping[str, ConfigSubentry],
    settings: SiteSettings,
    *,
    controllable: Mapping[str, bool],
    now: float,
) -> SiteConfig:
    """Build the engine's view of the site for this evaluation.

    ``subentries`` are the chargers the site was set up with (one added
    since waits for the reload). ``controllable`` says, per charger, whether
    its control entity can be written now; one that cannot is budgeted at
    what it measures.
    """
    options = entry.options
    region = Region(entry.data[CONF_REGION])
    chargers = []
    for subentry_id, subentry in subentries.items():
        live = settings.chargers[subentry_id]
        boosted = live.boost_until is not None and live.boost_until > now
        has_control = bool(subentry.data.get(CONF_CURRENT_ENTITY))
        chargers.append(
            ChargerConfig.from_hardware(
                subentry_id,
                region,
                subentry.data[CONF_BREAKER],
                NAMEPLATE_CURRENT[region],
                live.power_level_a,
                phases=charger_phases(entry, subentry),
                priority=BOOST_PRIORITY if boosted else live.priority,
                # Without a control entity the allocation is shown, not written.
                managed=live.commandable
                and not settings.monitor_only
                and (not has_control or controllable.get(subentry_id, False)),
                enabled=not live.paused,
            )
        )
    outage = None
    if has_powerwall(options):
        outage = OutageConfig(
            charging_threshold_pct=settings.charging_threshold_pct,
            share_surplus_solar=settings.share_surplus_solar,
            discharge_capability_w=1000.0
            * options.get(CONF_DISCHARGE_CAPABILITY, DEFAULT_DISCHARGE_CAPABILITY)
            * options.get(CONF_POWERWALL_UNITS, 1),
        )
    return SiteConfig(
        chargers=tuple(chargers),
        phase_count=3 if entry.data[CONF_SUPPLY] == Supply.THREE_PHASE else 1,
        voltage_v=entry.data[CONF_VOLTAGE],
        network_limit_a=settings.network_limit_a,
        panel_limit_a=settings.panel_limit_a if has_meter(options) else None,
        panel_margin_a=settings.safety_margin_a,
        outage=outage,
        stale_budget_a=None
        if (stale := options.get(CONF_STALE_FALLBACK)) is None
        else int(stale),
        timing=Timing(
            **{
                field_name: options[key]
                for key, field_name in _TIMING_OPTIONS.items()
                if key in options
            }
        ),
    )
