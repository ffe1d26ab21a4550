"""Diagnostics download, with addresses, serial numbers and Wi-Fi names redacted."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .models import TeslaPowerMgmtConfigEntry

TO_REDACT = {
    CONF_HOST,
    "serial_number",
    "unique_id",
    "wifi_ssid",
    "wifi_mac",
    "wifi_infra_ip",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TeslaPowerMgmtConfigEntry
) -> dict[str, Any]:
    """Return the site, each charger's settings and its latest payloads."""
    chargers = entry.runtime_data.chargers
    return {
        "site": {"title": entry.title, "data": dict(entry.data)},
        "options": dict(entry.options),
        "chargers": [
            async_redact_data(
                {
                    "title": subentry.title,
                    "unique_id": subentry.unique_id,
                    "data": dict(subentry.data),
                    "online": coordinator.last_update_success,
                    "identity": asdict(coordinator.identity)
                    if coordinator.identity
                    else None,
                    "payloads": coordinator.raw_payloads,
                },
                TO_REDACT,
            )
            for subentry_id, subentry in entry.subentries.items()
            if (coordinator := chargers.get(subentry_id))
        ],
    }
