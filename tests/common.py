"""Test helpers: real payloads, a fake Wall Connector, site and charger entries."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

from aiohttp import web
from homeassistant.components.number import NumberEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_HOST, CONF_PORT
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_PHASES,
    CONF_REGION,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
WALL_CONNECTOR_FIXTURES = REAL / "wall_connector"

VITALS_CHARGING_EU = "vitals_eu3p_charging-6A_evcc-pr5341.json"
VITALS_CHARGING_US = "vitals_us-split_charging-40A_ha-core-87667.json"
LIFETIME = "lifetime_us_fw26.18.0_foldbacks34_zebraengine-wal.json"
VERSION = "version_us_fw26.18.0_ieee1547-crc_zebraengine-wal.json"
WIFI = "wifi_status_us_fw26.18.0_zebraengine-wal.json"
SERIAL = "B7S22186J15380"


def real_payload(name: str) -> str:
    """Return a captured payload byte for byte (as text)."""
    path = WALL_CONNECTOR_FIXTURES / name
    assert path.is_file(), f"missing real fixture {path}: is ../shared beside the repo?"
    return path.read_text()


@dataclass
class FakeWallConnector:
    """Serves chosen bodies on the four endpoints; can go offline or fail."""

    bodies: dict[str, str | bytes] = field(
        default_factory=lambda: {
            "vitals": real_payload(VITALS_CHARGING_US),
            "lifetime": real_payload(LIFETIME),
            "version": real_payload(VERSION),
            "wifi_status": real_payload(WIFI),
        }
    )
    status: int = 200
    online: bool = True
    requests: list[str] = field(default_factory=list)
    port: int = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer like a unit: a body, an HTTP error, or a dropped connection."""
        endpoint = request.match_info["endpoint"]
        self.requests.append(endpoint)
        if not self.online:
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPServiceUnavailable
        if self.status != 200:
            return web.Response(status=self.status, text="error")
        body = self.bodies.get(endpoint)
        if body is None:
            return web.Response(status=404, text="not found")
        if isinstance(body, bytes):  # bytes as sent, valid UTF-8 or not
            return web.Response(body=body, content_type="application/json")
        return web.Response(text=body, content_type="application/json")


def charger_subentry(
    port: int, *, title: str = "Garage", unique_id: str = SERIAL, **data: Any
) -> ConfigSubentryData:
    """Describe a charger subentry pointing at a fake unit."""
    return ConfigSubentryData(
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: port,
            CONF_BREAKER: 50,
            CONF_PHASES: 1,
            **data,
        },
        subentry_type=SUBENTRY_TYPE_CHARGER,
        title=title,
        unique_id=unique_id,
    )


def site_entry(
    *subentries: ConfigSubentryData,
    supply: Supply = Supply.SINGLE_PHASE,
    region: Region = Region.NEC,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """Describe a site entry with the given chargers."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={CONF_REGION: region, CONF_SUPPLY: supply, CONF_VOLTAGE: 240},
        options=options or {},
        subentries_data=list(subentries),
    )


class Vehicle:
    """A car at the fake unit that obeys its charge-current number and switch.

    Like a real one it acts on a command a while later: when the test says
    time has passed (``apply``); the unit and the meter then both see it.
    """

    def __init__(self, unit: FakeWallConnector, max_a: int = 48) -> None:
        self.unit = unit
        self.max_a = max_a
        self.request_a = 32.0
        self.charging = True
        self.vitals: dict[str, Any] = json.loads(str(unit.bodies["vitals"]))
        self.apply()

    def apply(self) -> None:
        """Show the vehicle's state in the unit's vitals."""
        drawing = min(self.request_a, self.max_a) if self.charging else 0.0
        self.vitals.update(
            vehicle_connected=True,
            contactor_closed=self.charging and drawing > 0,
            evse_state=11 if self.charging and drawing > 0 else 4,
            vehicle_current_a=drawing,
        )
        self.unit.bodies["vitals"] = json.dumps(self.vitals)


class VehicleChargeCurrent(NumberEntity):
    """A vehicle's charge current number, as Tesla Fleet or Teslemetry has."""

    _attr_native_min_value = 0
    _attr_native_step = 1
    _attr_native_unit_of_measurement = "A"
    _attr_should_poll = False

    def __init__(
        self, vehicle: Vehicle, entity_id: str = "number.car_charge_current"
    ) -> None:
        self.vehicle = vehicle
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self._attr_native_max_value = vehicle.max_a
        self.writes: list[float] = []

    @property
    def native_value(self) -> float:
        return self.vehicle.request_a

    async def async_set_native_value(self, value: float) -> None:
        self.writes.append(value)
        self.vehicle.request_a = value
        self.async_write_ha_state()


class VehicleCharging(SwitchEntity):
    """A vehicle's charging switch."""

    _attr_should_poll = False

    def __init__(
        self, vehicle: Vehicle, entity_id: str = "switch.car_charging"
    ) -> None:
        self.vehicle = vehicle
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self.writes: list[bool] = []

    @property
    def is_on(self) -> bool:
        return self.vehicle.charging

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.writes.append(True)
        self.vehicle.charging = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.writes.append(False)
        self.vehicle.charging = False
        self.async_write_ha_state()


@asynccontextmanager
async def serving(fake: FakeWallConnector) -> AsyncIterator[FakeWallConnector]:
    """Serve a fake Wall Connector on a free port of 127.0.0.1 while in use."""
    app = web.Application()
    app.router.add_get("/api/1/{endpoint}", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    fake.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield fake
    finally:
        await runner.cleanup()
