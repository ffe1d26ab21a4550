"""UI configuration: a site entry, one subentry per Wall Connector, options."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import probatio

from . import charger_input, group_input, validators
from .const import (
    CONF_BREAKER,
    CONF_PHASES,
    CONF_REGION,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    DEFAULT_PORT,
    DEFAULT_VOLTAGE,
    DOMAIN,
    LOGGER,
    SUBENTRY_TYPE_CHARGER,
    SUBENTRY_TYPE_GROUP,
    Supply,
)
from .discovery import (
    CONF_SITE,
    charger_schema,
    discovered_charger,
    discovered_title,
    known_charger,
    site_schema,
    sites,
    updated_host,
)
from .engine import Region
from .options_flow import TeslaPowerMgmtOptionsFlow
from .selectors import number
from .settings import charger_subentries
from .wall_connector import (
    Identity,
    NotAWallConnectorError,
    WallConnectorClient,
    WallConnectorUnavailableError,
)


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


SITE_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME, default="Home"): TextSelector(),
        probatio.Required(CONF_REGION, default=Region.NEC): _select(
            list(Region), CONF_REGION
        ),
        probatio.Required(CONF_SUPPLY, default=Supply.SINGLE_PHASE): _select(
            list(Supply), CONF_SUPPLY
        ),
        probatio.Optional(CONF_VOLTAGE): number(validators.VOLTAGE),
    }
)


def _site_errors(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Return the cleaned site input, its errors and their placeholders."""
    cleaned, errors, placeholders = validators.amounts(
        data, {CONF_VOLTAGE: validators.VOLTAGE}
    )
    if not str(data[CONF_NAME]).strip():
        errors[CONF_NAME] = "name_required"
    return cleaned, errors, placeholders


def _site_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    region = Region(user_input[CONF_REGION])
    return {
        CONF_REGION: region,
        CONF_SUPPLY: Supply(user_input[CONF_SUPPLY]),
        CONF_VOLTAGE: int(user_input.get(CONF_VOLTAGE) or DEFAULT_VOLTAGE[region]),
    }


class TeslaPowerMgmtConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create or reconfigure a site."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with no warning shown."""
        super().__init__()
        self._warnings = charger_input.Warnings()

    _discovered: tuple[str, Identity]
    _site_id: str

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return TeslaPowerMgmtOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Chargers and power-sharing groups are added to a site as subentries."""
        return {
            SUBENTRY_TYPE_CHARGER: WallConnectorSubentryFlow,
            SUBENTRY_TYPE_GROUP: GroupSubentryFlow,
        }

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Describe the site: name, electrical code, supply, voltage."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, placeholders = _site_errors(user_input)
            if not errors:
                return self.async_create_entry(
                    title=cleaned[CONF_NAME].strip(), data=_site_data(cleaned)
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Follow a known unit to its new address, or offer to add a new one."""
        host = discovery_info.ip
        client = WallConnectorClient(host, async_get_clientsession(self.hass))
        try:
            identity = await client.identity()
        except NotAWallConnectorError:
            return self.async_abort(reason="not_wall_connector")
        except WallConnectorUnavailableError:
            return self.async_abort(reason="cannot_connect")
        if known := known_charger(self.hass, identity.serial_number):
            entry, subentry = known
            if (data := updated_host(subentry, host)) is not None:
                LOGGER.info("%s moved to %s", subentry.title, host)
                self.hass.config_entries.async_update_subentry(
                    entry, subentry, data=data
                )
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(identity.serial_number)
        self._abort_if_unique_id_configured()
        self._discovered = (host, identity)
        self.context["title_placeholders"] = {"name": discovered_title(identity)}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the site the found unit belongs to (asked only if several)."""
        entries = sites(self.hass)
        if not entries:
            return self.async_abort(reason="no_site")
        if len(entries) == 1:
            user_input = {CONF_SITE: entries[0].entry_id}
        if user_input is not None:
            self._site_id = user_input[CONF_SITE]
            return await self.async_step_discovery_charger()
        host, identity = self._discovered
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=site_schema(entries),
            description_placeholders={"name": discovered_title(identity), "host": host},
        )

    async def async_step_discovery_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask what the unit cannot tell, then add it to the chosen site."""
        host, identity = self._discovered
        site = self.hass.config_entries.async_get_entry(self._site_id)
        if site is None:
            return self.async_abort(reason="no_site")
        errors: dict[str, str] = {}
        placeholders = {
            "name": discovered_title(identity),
            "host": host,
            "site": site.title,
        }
        if user_input is not None:
            if known_charger(self.hass, identity.serial_number):
                return self.async_abort(reason="already_configured")
            errors, found, data = charger_input.check(
                self.hass, site, {**user_input, CONF_HOST: host}, None
            )
            placeholders |= found
            if not errors and not (errors := self._warnings.new(self.hass, data)):
                subentry = discovered_charger(data, identity, user_input.get(CONF_NAME))
                self.hass.config_entries.async_add_subentry(site, subentry)
                return self.async_abort(
                    reason="charger_added",
                    description_placeholders={"site": site.title},
                )
        return self.async_show_form(
            step_id="discovery_charger",
            data_schema=self.add_suggested_values_to_schema(
                charger_schema(self.hass, site), user_input
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the site's description; chargers must still fit the supply."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, placeholders = _site_errors(user_input)
            chargers = charger_subentries(entry).values()
            if user_input[CONF_SUPPLY] == Supply.SINGLE_PHASE and any(
                subentry.data.get(CONF_PHASES) == 3 for subentry in chargers
            ):
                errors[CONF_SUPPLY] = "three_phase_chargers"
            region = Region(user_input[CONF_REGION])
            low = validators.smallest_breaker(region)
            if any(subentry.data[CONF_BREAKER] < low for subentry in chargers):
                errors[CONF_REGION] = "breakers_too_small"
                placeholders = {**placeholders, "low": str(low)}
            if not errors:
                return self.async_update_reload_and_abort(
                    entry,
                    title=cleaned[CONF_NAME].strip(),
                    data=_site_data(cleaned),
                )
        suggested = user_input or {CONF_NAME: entry.title, **entry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )


class WallConnectorSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure one Wall Connector of a site."""

    def __init__(self) -> None:
        """Start with no warning shown."""
        super().__init__()
        self._warnings = charger_input.Warnings()

    def _schema(self) -> probatio.Schema:
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_HOST): TextSelector(),
            probatio.Optional(CONF_NAME): TextSelector(),
            **charger_input.fields(self.hass, self._get_entry()),
            # Gen 3 units serve port 80; another port is for a proxy or a simulator.
            probatio.Optional(CONF_PORT, default=DEFAULT_PORT): number(validators.PORT),
        }
        return probatio.Schema(fields)

    async def _validate(
        self, user_input: dict[str, Any], subentry_id: str | None
    ) -> tuple[dict[str, str], dict[str, str], Identity | None, dict[str, Any]]:
        """Check the input and talk to the charger: errors, placeholders, data."""
        errors, placeholders, data = charger_input.check(
            self.hass, self._get_entry(), user_input, subentry_id
        )
        if errors or (errors := self._warnings.new(self.hass, user_input)):
            return errors, placeholders, None, {}
        host, port = data[CONF_HOST], int(data[CONF_PORT])
        client = WallConnectorClient(host, async_get_clientsession(self.hass), port)
        try:
            identity = await client.identity()
        except NotAWallConnectorError:
            return {"base": "not_wall_connector"}, {}, None, {}
        except WallConnectorUnavailableError:
            return {"base": "cannot_connect"}, {}, None, {}
        except Exception:
            LOGGER.exception("Unexpected error talking to %s", host)
            return {"base": "unknown"}, {}, None, {}
        return {}, {}, identity, data

    def _configured_elsewhere(self, serial: str, subentry_id: str | None) -> bool:
        """Return True if any site already manages this unit."""
        return any(
            subentry.unique_id == serial and subentry.subentry_id != subentry_id
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            for subentry in entry.subentries.values()
        )

    @staticmethod
    def _title(user_input: Mapping[str, Any], identity: Identity) -> str:
        name = str(user_input.get(CONF_NAME) or "").strip()
        return name or f"Wall Connector {identity.serial_number[-4:]}"

    def _form(
        self,
        step_id: str,
        suggested: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> SubentryFlowResult:
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a Wall Connector after reading its serial number."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders, identity, data = await self._validate(
                user_input, None
            )
            if identity is not None:
                if self._configured_elsewhere(identity.serial_number, None):
                    return self.async_abort(reason="already_configured")
                return self.async_create_entry(
                    title=self._title(user_input, identity),
                    data=data,
                    unique_id=identity.serial_number,
                )
        return self._form("user", user_input, errors, placeholders)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a charger's address or settings; it must be the same unit."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders, identity, data = await self._validate(
                user_input, subentry.subentry_id
            )
            if identity is not None:
                if identity.serial_number != subentry.unique_id:
                    errors = {"base": "different_device"}
                else:
                    return self.async_update_and_abort(
                        self._get_entry(),
                        subentry,
                        title=self._title(user_input, identity),
                        data=data,
                    )
        suggested = user_input or {
            CONF_NAME: subentry.title,
            **subentry.data,
            CONF_PHASES: str(subentry.data.get(CONF_PHASES, 1)),
        }
        return self._form("reconfigure", suggested, errors, placeholders)


class GroupSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a power-sharing group or sub-panel of a site."""

    def _form(
        self,
        step_id: str,
        group_id: str | None,
        suggested: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> SubentryFlowResult:
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                group_input.schema(self._get_entry(), group_id), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a group: its name, network limit and the group it sits in."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders, data = group_input.check(
                self._get_entry(), user_input, None
            )
            if not errors:
                return self.async_create_entry(
                    title=str(user_input[CONF_NAME]).strip(), data=data
                )
        return self._form("user", None, user_input, errors, placeholders)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a group's name, limit or parent; the chargers must still fit."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders, data = group_input.check(
                self._get_entry(), user_input, subentry.subentry_id
            )
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=str(user_input[CONF_NAME]).strip(),
                    data=data,
                )
        suggested = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self._form(
            "reconfigure", subentry.subentry_id, suggested, errors, placeholders
        )
