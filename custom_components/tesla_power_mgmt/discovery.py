"""A Wall Connector found by DHCP: which site knows it, and the form to add it."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from . import charger_input
from .const import DEFAULT_PORT, DOMAIN, SUBENTRY_TYPE_CHARGER
from .wall_connector import Identity

CONF_SITE = "site"


def known_charger(
    hass: HomeAssistant, serial: str
) -> tuple[ConfigEntry, ConfigSubentry] | None:
    """Return the site and charger subentry that already manage this unit."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        for subentry in entry.subentries.values():
            if subentry.unique_id == serial:
                return entry, subentry
    return None


def updated_host(subentry: ConfigSubentry, host: str) -> dict[str, Any] | None:
    """Return the charger's data at its new address, or None to leave it.

    A charger reached through another port (a proxy, a simulator) is not
    at the address the unit itself leased, so it is left alone.
    """
    data = dict(subentry.data)
    if data.get(CONF_PORT, DEFAULT_PORT) != DEFAULT_PORT or data[CONF_HOST] == host:
        return None
    return {**data, CONF_HOST: host}


def sites(hass: HomeAssistant) -> list[ConfigEntry]:
    """Return the site entries a found unit can be added to."""
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False)
        if entry.disabled_by is None
    ]


def site_schema(entries: list[ConfigEntry]) -> probatio.Schema:
    """Return the form that picks the site."""
    options = [
        SelectOptionDict(value=entry.entry_id, label=entry.title) for entry in entries
    ]
    return probatio.Schema(
        {
            probatio.Required(CONF_SITE): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
            )
        }
    )


def charger_schema(hass: HomeAssistant, site: ConfigEntry) -> probatio.Schema:
    """Return the form for what DHCP cannot tell: breaker, phases, the car."""
    return probatio.Schema(
        {
            probatio.Optional(CONF_NAME): TextSelector(),
            **charger_input.fields(hass, site),
        }
    )


def discovered_charger(
    data: Mapping[str, Any], identity: Identity, name: str | None
) -> ConfigSubentry:
    """Return the charger subentry for a found unit and the checked answers."""
    return ConfigSubentry(
        data=MappingProxyType(dict(data)),
        subentry_type=SUBENTRY_TYPE_CHARGER,
        title=str(name or "").strip() or discovered_title(identity),
        unique_id=identity.serial_number,
    )


def discovered_title(identity: Identity) -> str:
    """Return the name a found unit goes by until the user names it."""
    return f"Wall Connector {identity.serial_number[-4:]}"
