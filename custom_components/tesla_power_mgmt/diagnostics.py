"""Diagnostics download, with addresses, serial numbers and Wi-Fi names redacted."""

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SOLAR_POWER_ENTITY,
    CONF_SWITCH_ENTITY,
)
from .models import TeslaPowerMgmtConfigEntry

# The entity ids a user picked name their car, meter and battery.
ENTITY_IDS = {
    CONF_CURRENT_ENTITY,
    CONF_SWITCH_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_SOLAR_POWER_ENTITY,
    CONF_HOME_LOAD_ENTITY,
}
TO_REDACT = {
    CONF_HOST,
    "serial_number",
    "unique_id",
    "wifi_ssid",
    "wifi_mac",
    "wifi_infra_ip",
    *ENTITY_IDS,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> dict[str, Any]:
    """Return the site, each charger's settings and its latest payloads."""
    chargers = entry.runtime_data.chargers
    manager = entry.runtime_data.manager
    data = manager.data
    return {
        "site": {"title": entry.title, "data": dict(entry.data)},
        "options": async_redact_data(dict(entry.options), TO_REDACT),
        "settings": _plain(manager.settings),
        "engine": {
            "evaluated_at": data.evaluated_at,
            "config": _plain(data.config),
            "readings": _plain(data.readings),
            "site": _plain(data.site),
            "decision": _plain(data.decision),
        },
        "vehicle_commands": dict(manager.actuator.commands),
        "chargers": [
            async_redact_data(
                {
                    "title": subentry.title,
                    "unique_id": subentry.unique_id,
                    "data": dict(subentry.data),
                    "online": coordinator.last_update_success,
                    "identity": _plain(coordinator.identity),
                    "payloads": coordinator.raw_payloads,
                },
                TO_REDACT,
            )
            for subentry_id, subentry in entry.subentries.items()
            if (coordinator := chargers.get(subentry_id))
        ],
    }


def _plain(value: Any) -> Any:
    """Return engine values as JSON-ready data (dataclasses, enums, mappings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list | set | frozenset):
        return [_plain(item) for item in value]
    return value
