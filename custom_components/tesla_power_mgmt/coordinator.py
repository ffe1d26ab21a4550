"""Polls one Wall Connector: vitals often, lifetime, Wi-Fi and version less.

A unit whose answer cannot be trusted (bad values, an undecodable body,
another unit's serial number) fails the update exactly as one that does not
answer: its entities go unavailable and the engine reserves it as unreachable.
The base class logs the cause once when that starts and once when it ends.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import (
    TimestampDataUpdateCoordinator,
    UpdateFailed,
)
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PHASES,
    CONF_REGION,
    DEFAULT_PORT,
    DOMAIN,
    LIFETIME_INTERVAL,
    LOGGER,
    NAMEPLATE_CURRENT,
    WIFI_INTERVAL,
)
from .engine import Region
from .wall_connector import (
    Identity,
    Lifetime,
    Payload,
    UnreadableError,
    Vitals,
    WallConnectorClient,
    WallConnectorUnavailableError,
    WifiStatus,
    WrongUnitError,
)

# The serial number is read again this often, and on every reconnection.
VERSION_INTERVAL = timedelta(minutes=5)


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
        self.nameplate_a = NAMEPLATE_CURRENT[Region(entry.data[CONF_REGION])]
        self.serial_number: str = subentry.unique_id or subentry.subentry_id
        # The serial the unit at this address must answer with.
        self._expected_serial = subentry.unique_id
        self.identity: Identity | None = None
        self.client = WallConnectorClient(
            subentry.data[CONF_HOST],
            async_get_clientsession(hass),
            subentry.data.get(CONF_PORT, DEFAULT_PORT),
        )
        # Latest payload of each endpoint, as received, for diagnostics.
        self.raw_payloads: dict[str, Payload] = {}
        self._identity_due: datetime | None = None
        self._lifetime_due: datetime | None = None
        self._wifi_due: datetime | None = None
        # Highest lifetime counters seen: a reading below them is a glitch.
        self._lifetime_high: Lifetime | None = None
        self._lifetime_behind = False
        self._issue_id = f"{entry.entry_id}_wrong_unit_{subentry.subentry_id}"
        entry.async_on_unload(self._clear_wrong_unit)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {subentry.title}",
            update_interval=update_interval,
        )

    async def _async_update_data(self) -> WallConnectorData:
        """Check the unit's identity when due, read vitals, then slower endpoints."""
        now = dt_util.utcnow()
        try:
            await self._check_identity(now)
            vitals, raw_vitals = await self.client.vitals(self.nameplate_a)
        except WrongUnitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="wrong_unit",
                translation_placeholders={
                    "name": self.subentry.title,
                    "expected": err.expected,
                    "found": err.found,
                },
            ) from err
        except WallConnectorUnavailableError as err:
            if isinstance(err, UnreadableError) and err.payload is not None:
                self.raw_payloads["vitals"] = err.payload
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
        # A slow endpoint that fails keeps its last value until its next turn:
        # vitals alone decide whether the unit is online.
        if self._lifetime_due is None or now >= self._lifetime_due:
            self._lifetime_due = now + LIFETIME_INTERVAL
            data = replace(data, lifetime=await self._read_lifetime(data.lifetime))
        if self._wifi_due is None or now >= self._wifi_due:
            self._wifi_due = now + WIFI_INTERVAL
            try:
                wifi, self.raw_payloads["wifi_status"] = await self.client.wifi_status()
            except WallConnectorUnavailableError as err:
                LOGGER.debug("%s: wifi_status not read: %s", self.subentry.title, err)
            else:
                data = replace(data, wifi=wifi)
        return data

    async def _check_identity(self, now: datetime) -> None:
        """Read the serial on (re)connection and when due; refuse another unit's."""
        if (
            self.identity is not None
            and self.last_update_success
            and self._identity_due is not None
            and now < self._identity_due
        ):
            return
        identity = await self.client.identity()
        self._identity_due = now + VERSION_INTERVAL
        expected = self._expected_serial or identity.serial_number
        self._expected_serial = expected
        if identity.serial_number != expected:
            self.identity = None
            self._raise_wrong_unit(expected, identity.serial_number)
            raise WrongUnitError(expected, identity.serial_number)
        self._clear_wrong_unit()
        if identity != self.identity:
            self._update_device(identity)
        self.identity = identity

    async def _read_lifetime(self, last: Lifetime | None) -> Lifetime | None:
        """Read lifetime counters; one that went backwards reads unknown."""
        title = self.subentry.title
        try:
            lifetime, self.raw_payloads["lifetime"] = await self.client.lifetime()
        except WallConnectorUnavailableError as err:
            LOGGER.debug("%s: lifetime not read: %s", title, err)
            return last
        checked, behind = lifetime.checked_against(self._lifetime_high)
        self._lifetime_high = lifetime.highest(self._lifetime_high)
        if behind and not self._lifetime_behind:
            LOGGER.warning(
                "%s: lifetime %s went backwards; not shown until it is back",
                title,
                ", ".join(behind),
            )
        elif self._lifetime_behind and not behind:
            LOGGER.info("%s: lifetime counters are consistent again", title)
        self._lifetime_behind = bool(behind)
        return checked

    def _update_device(self, identity: Identity) -> None:
        """Keep the device registry in step with the unit's identity."""
        device_registry = dr.async_get(self.hass)
        if device := device_registry.async_get_device_by_identifier(
            (DOMAIN, self.serial_number), self.config_entry.entry_id
        ):
            device_registry.async_update_device(
                device.id,
                model_id=identity.part_number,
                sw_version=identity.firmware_version,
            )

    def _raise_wrong_unit(self, expected: str, found: str) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="wrong_unit",
            translation_placeholders={
                "name": self.subentry.title,
                "host": self.client.host,
                "expected": expected,
                "found": found,
            },
        )

    def _clear_wrong_unit(self) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
