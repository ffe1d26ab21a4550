"""Tesla power management for Gen 3 Wall Connectors."""

import asyncio
from datetime import timedelta

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .config_check import async_usable_config
from .const import (
    CONF_SCAN_INTERVAL,
    CONF_SUPPLY,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    Supply,
)
from .coordinator import WallConnectorCoordinator
from .manager import PowerManager
from .models import TeslaPowerMgmtConfigEntry, TeslaPowerMgmtData
from .persistence import STORAGE_VERSION, storage_key
from .services import async_setup_services
from .settings import SiteSettings, charger_subentries
from .setup_checks import SetupChecks
from .stale import async_remove_stale

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once for all sites."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> bool:
    """Poll every charger, add the entities, then start managing."""
    # An unusable saved configuration is replaced before anything reads it.
    monitor_only = await async_usable_config(hass, entry)
    interval = timedelta(
        seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
    )
    three_phase_site = entry.data[CONF_SUPPLY] == Supply.THREE_PHASE
    chargers = {
        subentry_id: WallConnectorCoordinator(
            hass, entry, subentry, interval, three_phase_site=three_phase_site
        )
        for subentry_id, subentry in charger_subentries(entry).items()
    }
    # A charger that does not answer now is not a reason to hold back the
    # others: its entities start unavailable and it is polled again.
    await asyncio.gather(*(charger.async_refresh() for charger in chargers.values()))
    settings = SiteSettings.from_entry(entry)
    settings.monitor_only = monitor_only
    checks = SetupChecks(hass, entry, settings)
    manager = PowerManager(hass, entry, chargers, settings)
    await manager.async_load()
    entry.runtime_data = TeslaPowerMgmtData(chargers=chargers, manager=manager)
    # A first decision for the entities to show; nothing is written until the
    # platforms have restored power levels and limits.
    manager.async_evaluate(apply=False)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_remove_stale(hass, entry)
    manager.async_start()
    checks.async_start()
    entry.async_on_unload(manager.repairs.clear)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def _async_reload(hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry) -> None:
    """Apply a changed site, charger list or option by reloading."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> bool:
    """Stop polling and managing, and remove the entities."""
    await entry.runtime_data.manager.async_unload()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> None:
    """Forget what the site remembered."""
    await Store[dict[str, object]](
        hass, STORAGE_VERSION, storage_key(entry.entry_id)
    ).async_remove()
