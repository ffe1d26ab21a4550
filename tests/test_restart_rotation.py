"""A restart while a rotation turn runs: the car with the turn keeps it.

Two cars on a 100 A panel with 10 A of headroom: room for one at 6 A, so
they take turns. The driveway's car has the turn (its priority gave it the
first one, then was set back to the garage's). The order lives in the
engine's stored memory; were it lost, the garage (configured first) would
take the room back.
"""

from collections.abc import AsyncIterator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
    setup_test_component_platform,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_CURRENT_ENTITY,
    CONF_ROTATION_INTERVAL,
    CONF_SWITCH_ENTITY,
)

from .common import (
    SERIAL,
    VERSION,
    FakeWallConnector,
    Vehicle,
    VehicleChargeCurrent,
    VehicleCharging,
    charger_subentry,
    real_payload,
    serving,
    site_entry,
)
from .site import CONTROL, METER, VOLTS, Car, Sources, poll
from .test_lifecycle import reload, restart

DRIVEWAY_SERIAL = "B7S22186J77777"
TURN_S = 600
HOME_A = 88  # the panel's 100 A less the 2 A margin and 88 A: 10 A for both


class SecondCar(Car):
    """The driveway's car, with its own number and switch."""

    def __init__(self, unit: FakeWallConnector) -> None:
        self.vehicle = Vehicle(unit)
        self.current = VehicleChargeCurrent(self.vehicle, "number.car2_charge_current")
        self.switch = VehicleCharging(self.vehicle, "switch.car2_charging")


class TwoCars(Sources):
    """The meter sees both cars."""

    def __init__(self, hass: HomeAssistant, first: Car, second: Car) -> None:
        super().__init__(hass, first)
        self.second = second

    @property
    def car_w(self) -> float:
        cars = (self.car, self.second)
        return sum(float(c.vehicle.vitals["vehicle_current_a"]) for c in cars) * VOLTS

    def follow(self) -> None:
        self.second.vehicle.apply()
        super().follow()


@pytest.fixture
async def driveway(socket_enabled: None) -> AsyncIterator[FakeWallConnector]:
    """A second fake unit, with its own serial number."""
    fake = FakeWallConnector()
    fake.bodies["version"] = real_payload(VERSION).replace(SERIAL, DRIVEWAY_SERIAL)
    async with serving(fake):
        yield fake


def _priority(value: int) -> dict[str, Any]:
    return {
        "native_max_value": 10,
        "native_min_value": 0,
        "native_step": 1,
        "native_unit_of_measurement": None,
        "native_value": value,
    }


async def start_pair(
    hass: HomeAssistant,
    garage: FakeWallConnector,
    driveway: FakeWallConnector,
    driveway_priority: int = 5,
) -> tuple[MockConfigEntry, Car, Car, TwoCars]:
    """Two cars asking, the driveway's at a higher priority (restored)."""
    first, second = Car(garage), SecondCar(driveway)
    setup_test_component_platform(hass, "number", [first.current, second.current])
    setup_test_component_platform(hass, "switch", [first.switch, second.switch])
    assert await async_setup_component(hass, "number", {"number": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("number.driveway_priority", str(driveway_priority)),
                _priority(driveway_priority),
            )
        ],
    )
    sources = TwoCars(hass, first, second)
    sources.home_w = HOME_A * VOLTS
    sources.report()
    second_control = {
        **CONTROL,
        CONF_CURRENT_ENTITY: "number.car2_charge_current",
        CONF_SWITCH_ENTITY: "switch.car2_charging",
    }
    entry = site_entry(
        charger_subentry(garage.port, **CONTROL),
        charger_subentry(
            driveway.port, title="Driveway", unique_id=DRIVEWAY_SERIAL, **second_control
        ),
        options={**METER, CONF_ROTATION_INTERVAL: TURN_S},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, first, second, sources


def reasons(hass: HomeAssistant) -> tuple[str, str]:
    return (
        hass.states.get("sensor.garage_limit_reason").state,
        hass.states.get("sensor.driveway_limit_reason").state,
    )


def pilots(hass: HomeAssistant) -> tuple[int, int]:
    return (
        int(hass.states.get("sensor.garage_pilot_current").state),
        int(hass.states.get("sensor.driveway_pilot_current").state),
    )


async def fresh_meter(hass: HomeAssistant, sources: Sources) -> None:
    """Report the meter now, so its reading's age holds nothing back."""
    sources.report()
    await hass.async_block_till_done()


@pytest.mark.parametrize("cycle", [restart, reload])
async def test_the_car_with_the_turn_keeps_it_after_a_restart(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    driveway: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    cycle: object,
) -> None:
    entry, garage, second, sources = await start_pair(hass, wall_connector, driveway)
    # Both arrive at 32 A: both paused at once; the higher priority resumes.
    await poll(hass, freezer, 180, sources)
    await fresh_meter(hass, sources)
    assert pilots(hass) == (0, 10)
    # Priorities equal again: the driveway's running turn keeps its place.
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.driveway_priority", "value": 0},
        blocking=True,
    )
    await poll(hass, freezer, 120, sources)
    await fresh_meter(hass, sources)
    assert pilots(hass) == (0, 10)
    assert reasons(hass) == ("waiting_for_6a", "panel_headroom")
    driveway_id = list(entry.subentries)[1]
    turn = entry.runtime_data.manager.state.chargers[driveway_id].queue.turn_since
    assert turn is not None
    switches = (list(garage.switch.writes), list(second.switch.writes))

    await cycle(hass, entry)  # type: ignore[operator]
    assert hass.states.get("number.driveway_priority").state == "0"
    await poll(hass, freezer, 240, sources)
    await fresh_meter(hass, sources)
    # Started over, the garage would have taken the room back.
    assert pilots(hass) == (0, 10)
    assert reasons(hass) == ("waiting_for_6a", "panel_headroom")
    assert (garage.switch.writes, second.switch.writes) == switches
    after = entry.runtime_data.manager.state.chargers[driveway_id].queue.turn_since
    assert after == turn


async def test_the_waiting_car_gets_the_next_turn(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    driveway: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    _, garage, second, sources = await start_pair(
        hass, wall_connector, driveway, driveway_priority=0
    )
    await poll(hass, freezer, 180, sources)
    await fresh_meter(hass, sources)
    assert pilots(hass) == (10, 0)
    await poll(hass, freezer, TURN_S + 180, sources)
    await fresh_meter(hass, sources)
    assert pilots(hass) == (0, 10)
    assert second.vehicle.charging
    assert not garage.vehicle.charging
