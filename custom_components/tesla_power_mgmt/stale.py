"""Entities and devices a site no longer has, removed from the registries."""

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .models import TeslaPowerMgmtConfigEntry


@callback
def async_remove_stale(hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry) -> None:
    """Remove what this setup did not offer: a cleared meter, a removed limit.

    Run after the platforms are set up, when every entity (enabled or
    disabled) has been offered; a device left without entities goes too. A
    platform that offered nothing (its setup failed) keeps its entities.
    """
    offered = entry.runtime_data.unique_ids
    entities = er.async_get(hass)
    known = er.async_entries_for_config_entry(entities, entry.entry_id)
    live = {entity.domain for entity in known if entity.unique_id in offered}
    for entity in known:
        if entity.domain in live and entity.unique_id not in offered:
            entities.async_remove(entity.entity_id)
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if not er.async_entries_for_device(
            entities, device.id, include_disabled_entities=True
        ):
            devices.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )
