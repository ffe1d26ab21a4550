"""Tesla power management for Gen 3 Wall Connectors."""

import asyncio
from datetime import timedelta

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .const import (
    CONF_SCAN_INTERVAL,
    CONF_SUPPLY,
    DEFAULT_SCAN_INTERVAL,
    SUBENTRY_TYPE_CHARGER,
    Supply,
)
from .coordinator import (
    TeslaPowerMgmtConfigEntry,
    TeslaPowerMgmtData,
    WallConnectorCoordinator,
)

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR]


async def async_setup_entry(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> bool:
    """Start polling every charger of the site and add their entities."""
    interval = timedelta(
        seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
    )
    three_phase_site = entry.data[CONF_SUPPLY] == Supply.THREE_PHASE
    chargers = {
        subentry_id: WallConnectorCoordinator(
            hass, entry, subentry, interval, three_phase_site=three_phase_site
        )
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_TYPE_CHARGER
    }
    # A charger that does not answer now is not a reason to hold back the
    # others: its entities start unavailable and it is polled again.
    await asyncio.gather(*(charger.async_refresh() for charger in chargers.values()))
    entry.runtime_data = TeslaPowerMgmtData(chargers=chargers)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def _async_reload(hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry) -> None:
    """Apply a changed site, charger list or option by reloading."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> bool:
    """Stop polling and remove the entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
