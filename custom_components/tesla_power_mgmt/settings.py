"""What the user sets at run time, and the engine configuration built from it.

The config entry holds what the user configured; the number and switch
entities let them change the live values (power levels, priorities, limits,
the charging threshold) without a reload. Both meet here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import (
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_CURRENT_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    DEFAULT_CHARGING_THRESHOLD,
    DEFAULT_SAFETY_MARGIN,
    NAMEPLATE_CURRENT,
    SUBENTRY_TYPE_CHARGER,
    SUBENTRY_TYPE_GROUP,
)
from .engine import (
    Region,
    SiteConfig,
    charger_max_current,
)
from .site_options import (
    ChargerEntry,
    has_meter,
    has_powerwall,
    site_config,
)

__all__ = [
    "BOOST_PRIORITY",
    "ChargerSettings",
    "SiteSettings",
    "charger_subentries",
    "engine_config",
    "group_subentries",
    "hardware_max_current",
    "has_meter",
    "has_powerwall",
]

# A boosted charger outranks every priority a user can set.
BOOST_PRIORITY = 1000


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


def group_subentries(entry: ConfigEntry) -> dict[str, ConfigSubentry]:
    """Return the entry's power-sharing groups by subentry id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_TYPE_GROUP
    }


def hardware_max_current(entry: ConfigEntry, subentry: ConfigSubentry) -> int:
    """Return a charger's maximum from its breaker and nameplate alone."""
    region = Region(entry.data[CONF_REGION])
    return charger_max_current(
        region, subentry.data[CONF_BREAKER], NAMEPLATE_CURRENT[region]
    )


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
    chargers = []
    for subentry_id, subentry in subentries.items():
        live = settings.chargers[subentry_id]
        boosted = live.boost_until is not None and live.boost_until > now
        has_control = bool(subentry.data.get(CONF_CURRENT_ENTITY))
        chargers.append(
            ChargerEntry(
                subentry_id,
                subentry.data,
                live.power_level_a,
                priority=BOOST_PRIORITY if boosted else live.priority,
                # Without a control entity the allocation is shown, not written.
                managed=live.commandable
                and not settings.monitor_only
                and (not has_control or controllable.get(subentry_id, False)),
                enabled=not live.paused,
            )
        )
    live_options = {
        **entry.options,
        CONF_NETWORK_LIMIT: settings.network_limit_a,
        CONF_PANEL_LIMIT: settings.panel_limit_a,
        CONF_SAFETY_MARGIN: settings.safety_margin_a,
        CONF_CHARGING_THRESHOLD: settings.charging_threshold_pct,
    }
    if not has_meter(entry.options):
        live_options.pop(CONF_PANEL_LIMIT)
    return site_config(
        entry.data,
        live_options,
        chargers,
        share_surplus_solar=settings.share_surplus_solar,
        groups={
            group_id: group.data for group_id, group in group_subentries(entry).items()
        },
    )
