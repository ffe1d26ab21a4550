"""Polls one Wall Connector: vitals often, lifetime and Wi-Fi less, version once."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import (
    TimestampDataUpdateCoordinator,
    UpdateFailed,
)
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PHASES,
    DEFAULT_PORT,
    DOMAIN,
    LIFETIME_INTERVAL,
    LOGGER,
    WIFI_INTERVAL,
)
from .wall_connector import (
    Identity,
    Lifetime,
    Payload,
    Vitals,
    WallConnectorClient,
    WallConnectorUnavailableError,
    WifiStatus,
)


@dataclass(frozen=True, slots=True)
class WallConnectorData:
    """The latest readings of one unit; slow endpoints keep their last value."""

    vitals: Vitals
    power_w: float | None
    lifetime: Lifetime | None = None
    wifi: WifiStatus | None = None


class WallConnectorCoordinator(TimestampDataUpdateCoordinator[WallConnectorData]):
    """Polls one Wall Connector configured as a subentry of the site."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        subentry: ConfigSubentry,
        update_interval: timedelta,
        *,
        three_phase_site: bool,
    ) -> None:
        """Create the coordinator for one charger subentry."""
        self.subentry = subentry
        self.three_phase_site = three_phase_site
        self.three_phase_charger = (
            three_phase_site and subentry.data.get(CONF_PHASES) == 3
        )
        self.serial_number: str = subentry.unique_id or subentry.subentry_id
        self.identity: Identity | None = None
        self.client = WallConnectorClient(
            subentry.data[CONF_HOST],
            async_get_clientsession(hass),
            subentry.data.get(CONF_PORT, DEFAULT_PORT),
        )
        # Latest payload of each endpoint, as received, for diagnostics.
        self.raw_payloads: dict[str, Payload] = {}
        self._lifetime_due: datetime | None = None
        self._wifi_due: datetime | None = None
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {subentry.title}",
            update_interval=update_interval,
        )

    async def _async_update_data(self) -> WallConnectorData:
        """Read vitals every time, the slower endpoints when they are due.

        The base class logs a failure once when the unit is lost and once
        when it is back, and marks only this unit's entities unavailable.
        """
        try:
            if self.identity is None:
                await self._read_identity()
            vitals, raw_vitals = await self.client.vitals()
        except WallConnectorUnavailableError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="charger_unreachable",
                translation_placeholders={
                    "name": self.subentry.title,
                    "error": str(err),
                },
            ) from err

        self.raw_payloads["vitals"] = raw_vitals
        data = WallConnectorData(
            vitals=vitals,
            power_w=vitals.power_w(three_phase=self.three_phase_site),
            lifetime=self.data.lifetime if self.data else None,
            wifi=self.data.wifi if self.data else None,
        )
        now = dt_util.utcnow()
        # A slow endpoint that fails keeps its last value until its next turn:
        # vitals alone decide whether the unit is online.
        if self._lifetime_due is None or now >= self._lifetime_due:
            self._lifetime_due = now + LIFETIME_INTERVAL
            try:
                lifetime, self.raw_payloads["lifetime"] = await self.client.lifetime()
            except WallConnectorUnavailableError as err:
                LOGGER.debug("%s: lifetime not read: %s", self.subentry.title, err)
            else:
                data = replace(data, lifetime=lifetime)
        if self._wifi_due is None or now >= self._wifi_due:
            self._wifi_due = now + WIFI_INTERVAL
            try:
                wifi, self.raw_payloads["wifi_status"] = await self.client.wifi_status()
            except WallConnectorUnavailableError as err:
                LOGGER.debug("%s: wifi_status not read: %s", self.subentry.title, err)
            else:
                data = replace(data, wifi=wifi)
        return data

    async def _read_identity(self) -> None:
        """Read the version once and keep the device registry in step with it."""
        self.identity = await self.client.identity()
        device_registry = dr.async_get(self.hass)
        if device := device_registry.async_get_device_by_identifier(
            (DOMAIN, self.serial_number), self.config_entry.entry_id
        ):
            device_registry.async_update_device(
                device.id,
                model_id=self.identity.part_number,
                sw_version=self.identity.firmware_version,
            )
