"""A Wall Connector found by DHCP: which site knows it, and the form to add it."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from .const import (
    CONF_BREAKER,
    CONF_CURRENT_ENTITY,
    CONF_PHASES,
    CONF_SUPPLY,
    CONF_SWITCH_ENTITY,
    CONF_WIRED_PHASE,
    DEFAULT_PORT,
    DOMAIN,
    MAX_BREAKER,
    MIN_BREAKER,
    SUBENTRY_TYPE_CHARGER,
    Supply,
    WiredPhase,
)
from .selectors import number
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


def charger_schema(site: ConfigEntry) -> probatio.Schema:
    """Return the form for what DHCP cannot tell: breaker, phases, the car."""
    fields: dict[probatio.Marker, Any] = {
        probatio.Optional(CONF_NAME): TextSelector(),
        probatio.Required(CONF_BREAKER): number(MIN_BREAKER, MAX_BREAKER, "A"),
    }
    if site.data[CONF_SUPPLY] == Supply.THREE_PHASE:
        fields[probatio.Required(CONF_PHASES, default="3")] = _select(
            ["1", "3"], CONF_PHASES
        )
        fields[probatio.Required(CONF_WIRED_PHASE, default=WiredPhase.L1)] = _select(
            list(WiredPhase), CONF_WIRED_PHASE
        )
    fields[probatio.Optional(CONF_CURRENT_ENTITY)] = EntitySelector(
        EntitySelectorConfig(domain="number")
    )
    fields[probatio.Optional(CONF_SWITCH_ENTITY)] = EntitySelector(
        EntitySelectorConfig(domain="switch")
    )
    return probatio.Schema(fields)


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


def discovered_charger(
    host: str, identity: Identity, user_input: Mapping[str, Any]
) -> ConfigSubentry:
    """Return the charger subentry for a found unit and the user's answers."""
    data: dict[str, Any] = {
        CONF_HOST: host,
        CONF_PORT: DEFAULT_PORT,
        CONF_BREAKER: int(user_input[CONF_BREAKER]),
        CONF_PHASES: int(user_input.get(CONF_PHASES, 1)),
    }
    if data[CONF_PHASES] == 1 and CONF_WIRED_PHASE in user_input:
        data[CONF_WIRED_PHASE] = WiredPhase(user_input[CONF_WIRED_PHASE])
    for key in (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY):
        if user_input.get(key):
            data[key] = user_input[key]
    name = str(user_input.get(CONF_NAME) or "").strip()
    return ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type=SUBENTRY_TYPE_CHARGER,
        title=name or discovered_title(identity),
        unique_id=identity.serial_number,
    )


def discovered_title(identity: Identity) -> str:
    """Return the name a found unit goes by until the user names it."""
    return f"Wall Connector {identity.serial_number[-4:]}"
