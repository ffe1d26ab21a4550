"""A managed test site: a car at a fake unit, a meter and a Powerwall."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_CURRENT_ENTITY,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_SAFETY_MARGIN,
    CONF_SOLAR_POWER_ENTITY,
    CONF_SWITCH_ENTITY,
)

from .common import (
    FakeWallConnector,
    Vehicle,
    VehicleChargeCurrent,
    VehicleCharging,
    charger_subentry,
    site_entry,
)

GRID = "sensor.grid_power"
CONTROL = {
    CONF_CURRENT_ENTITY: "number.car_charge_current",
    CONF_SWITCH_ENTITY: "switch.car_charging",
    CONF_BREAKER: 60,  # 48 A under the 80 % rule
}
METER = {CONF_GRID_POWER_ENTITY: GRID, CONF_PANEL_LIMIT: 100, CONF_SAFETY_MARGIN: 2}
POWERWALL = {
    CONF_BATTERY_LEVEL_ENTITY: "sensor.powerwall_charge",
    CONF_GRID_STATUS_ENTITY: "binary_sensor.powerwall_grid_status",
    CONF_SOLAR_POWER_ENTITY: "sensor.powerwall_solar_power",
    CONF_HOME_LOAD_ENTITY: "sensor.powerwall_load_power",
    CONF_DISCHARGE_CAPABILITY: 5.0,
    CONF_CHARGING_THRESHOLD: 50,
}
VOLTS = 240


class Car:
    """A vehicle at a fake unit, with real number and switch entities."""

    def __init__(self, unit: FakeWallConnector) -> None:
        self.vehicle = Vehicle(unit)
        self.current = VehicleChargeCurrent(self.vehicle)
        self.switch = VehicleCharging(self.vehicle)

    @property
    def commanded(self) -> float:
        return self.vehicle.request_a


class Sources:
    """The meter and Powerwall of the test site, seeing the car's real draw."""

    def __init__(self, hass: HomeAssistant, car: Car) -> None:
        self.hass = hass
        self.car = car
        self.home_w = 2000.0
        self.solar_w = 0.0
        self.grid_up = True
        self.battery = 80.0
        self.meter_value: str | None = None  # overrides the meter's state
        self.load_value: str | None = None  # overrides the home load's state
        self.meter_unit = "W"

    @property
    def car_w(self) -> float:
        return float(self.car.vehicle.vitals["vehicle_current_a"]) * VOLTS

    def report(self) -> None:
        """Report every value (again), as real sources do every few seconds."""
        states = self.hass.states
        grid_w = self.home_w + self.car_w - self.solar_w
        meter = self.meter_value
        if self.meter_unit == "kW" and meter is None:
            meter = str(grid_w / 1000)
        states.async_set(
            GRID, meter or str(grid_w), {"unit_of_measurement": self.meter_unit}
        )
        states.async_set(
            POWERWALL[CONF_GRID_STATUS_ENTITY], STATE_ON if self.grid_up else STATE_OFF
        )
        states.async_set(
            POWERWALL[CONF_BATTERY_LEVEL_ENTITY],
            str(self.battery),
            {"unit_of_measurement": "%"},
        )
        states.async_set(
            POWERWALL[CONF_SOLAR_POWER_ENTITY],
            str(self.solar_w / 1000),
            {"unit_of_measurement": "kW"},
        )
        states.async_set(
            POWERWALL[CONF_HOME_LOAD_ENTITY],
            self.load_value or str((self.home_w + self.car_w) / 1000),
            {"unit_of_measurement": "kW"},
        )

    def follow(self) -> None:
        """The car acts on its commands; the meter sees it before the unit."""
        self.car.vehicle.apply()
        self.report()

    async def changed(self) -> None:
        """Report now and let the event be handled."""
        self.report()
        await self.hass.async_block_till_done()


async def start(
    hass: HomeAssistant,
    unit: FakeWallConnector,
    options: dict[str, Any],
    sources: Sources | None = None,
    **data: Any,
) -> MockConfigEntry:
    """Set up the garage's charger; the sources report first, as at home."""
    if sources:
        sources.report()
    entry = site_entry(
        charger_subentry(unit.port, **{**CONTROL, **data}), options=options
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await settle(hass, entry, sources)
    return entry


async def settle(
    hass: HomeAssistant, entry: MockConfigEntry, sources: Sources | None
) -> None:
    """Let units and sources show what the vehicles do after the commands."""
    if sources:
        sources.follow()
    for charger in entry.runtime_data.chargers.values():
        await charger.async_refresh()
    await hass.async_block_till_done()


async def poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    sources: Sources | None = None,
) -> None:
    """Let time pass in steps a little over the poll interval; sources report."""
    while seconds > 0:
        step = min(seconds, 6)
        freezer.tick(timedelta(seconds=step))
        if sources:
            sources.follow()
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        seconds -= step


async def start_beside_unreachable_shed(
    hass: HomeAssistant, unit: FakeWallConnector, network_limit: int
) -> MockConfigEntry:
    """Set up the garage's charger and a shed charger that never answers."""
    entry = site_entry(
        charger_subentry(unit.port, **CONTROL),
        # Nothing listens on port 9 of the loopback address.
        charger_subentry(9, title="Shed", unique_id="SHED0001"),
        options={CONF_NETWORK_LIMIT: network_limit},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
