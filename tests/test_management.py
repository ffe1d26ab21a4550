"""Live power management in Home Assistant: meter, Powerwall, group, control."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    mock_restore_cache_with_extra_data,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_HOME_LOAD_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_STALE_FALLBACK,
    DOMAIN,
    EVENT_CHARGER_THROTTLED,
    EVENT_OUTAGE_ENDED,
    EVENT_OUTAGE_STARTED,
)

from .common import FakeWallConnector, charger_subentry, site_entry
from .site import (
    CONTROL,
    METER,
    POWERWALL,
    VOLTS,
    Car,
    Sources,
    poll,
    start,
    start_beside_unreachable_shed,
)


async def test_load_spike_lowers_current_in_the_same_event(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    await start(hass, wall_connector, METER, sources)
    assert car.commanded == 48
    assert hass.states.get("sensor.garage_pilot_current").state == "48"
    assert hass.states.get("sensor.garage_limit_reason").state == "power_level"

    # Dryer and oven: 20 kW more. The meter's report alone lowers the car.
    sources.home_w += 20_000
    await sources.changed()
    home_a = sources.home_w / VOLTS
    assert car.commanded <= 100 - 2 - home_a
    assert hass.states.get("sensor.garage_limit_reason").state == "panel_headroom"
    headroom = float(hass.states.get("sensor.home_power_meter_headroom").state)
    assert headroom == pytest.approx(100 - 2 - home_a, abs=0.2)
    home_load = float(hass.states.get("sensor.home_power_meter_home_load").state)
    assert home_load == pytest.approx(home_a, abs=0.2)


async def test_nothing_written_when_nothing_changes(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, METER, sources)
    await poll(hass, freezer, 12, sources)
    writes = len(car.current.writes)
    assert writes == 1
    await poll(hass, freezer, 120, sources)
    assert len(car.current.writes) == writes
    assert car.switch.writes == []
    commands = hass.states.get("sensor.garage_vehicle_commands")
    assert commands.state == str(writes)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("lots", "W"),
        ("-5000000", "W"),
        ("99999999", "W"),
        ("5000", "furlongs"),
        ("nan", "W"),
        ("unavailable", "W"),
    ],
)
async def test_untrustworthy_meter_is_stale_not_a_number(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
    value: str,
    unit: str,
) -> None:
    sources.home_w = 70 * VOLTS  # little room: the car is at 100 - 2 - 70 A
    await start(hass, wall_connector, METER, sources)
    assert car.commanded == 28
    sources.meter_value, sources.meter_unit = value, unit
    await sources.changed()
    # Within the grace the last good reading holds.
    assert hass.states.get("sensor.garage_limit_reason").state == "panel_headroom"
    await poll(hass, freezer, 36, sources)  # the bad value keeps being reported
    assert hass.states.get("sensor.garage_limit_reason").state == "stale_input"
    assert car.commanded <= 28, "a stale meter never raises the current"
    grid_state = hass.states.get("sensor.home_power_meter_grid_power")
    assert float(grid_state.state) == pytest.approx((70 + 28) * VOLTS)  # last good


async def test_meter_in_kilowatts(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    sources.meter_unit = "kW"
    sources.home_w = 25_000.0  # more than the 100 A panel on its own
    await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False], "no room for 6 A: paused"
    await poll(hass, freezer, 42, sources)  # past the overload's grace
    assert hass.states.get("binary_sensor.home_overload").state == STATE_ON
    assert hass.states.get("sensor.garage_limit_reason").state == "panel_headroom"
    assert hass.states.get("sensor.garage_pilot_current").state == "0"


async def test_group_limit_and_unreachable_fallback(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await start_beside_unreachable_shed(hass, wall_connector, 60)
    # The shed never answered: its pilot is at most its fallback (60 / 2),
    # but no car is known there, so one may arrive at its own setting: the
    # network limit, which no meter sees, keeps the shed's whole maximum.
    assert hass.states.get("sensor.shed_limit_reason").state == "fallback_unreachable"
    shed = int(hass.states.get("sensor.shed_pilot_current").state)
    assert shed <= 30
    config = entry.runtime_data.manager.data.config
    shed_max = config.chargers[1].max_current_a
    assert car.commanded + shed_max <= 60
    # Its first share is paced up to the network limit's (fallbacks first).
    assert hass.states.get("sensor.garage_limit_reason").state in {
        "network_limit",
        "waiting_to_increase",
    }
    assert hass.states.get("binary_sensor.home_charger_unreachable").state == STATE_ON
    assert hass.states.get("sensor.home_fallback_limit").state == "30"
    assert hass.states.get("sensor.home_network_size").state == "2"
    assert hass.states.get("number.home_network_limit").state == "60"

    # The garage's unit goes offline too: its vehicle is held within the
    # fallback, in what the shed's maximum leaves.
    wall_connector.online = False
    await poll(hass, freezer, 66)
    assert hass.states.get("sensor.garage_limit_reason").state == "fallback_unreachable"
    assert car.commanded == min(30, 60 - shed_max)
    await poll(hass, freezer, 300)
    issues = ir.async_get(hass).issues
    garage = next(iter(entry.subentries))
    assert (DOMAIN, f"{entry.entry_id}_unreachable_{garage}") in issues


async def test_outage_throttles_stops_and_resumes(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    started = async_capture_events(hass, EVENT_OUTAGE_STARTED)
    ended = async_capture_events(hass, EVENT_OUTAGE_ENDED)
    throttled = async_capture_events(hass, EVENT_CHARGER_THROTTLED)
    sources.home_w = 1000
    await start(hass, wall_connector, POWERWALL, sources)
    assert car.commanded == 48, "on grid there is no outage limit"

    # Grid down, battery above threshold: 5 kW less the 10 % margin - 1 kW home.
    sources.grid_up = False
    await sources.changed()
    assert len(started) == 1
    assert hass.states.get("binary_sensor.home_powerwall_grid_outage").state == STATE_ON
    assert car.commanded == 3500 // VOLTS
    assert hass.states.get("sensor.garage_limit_reason").state == "outage_battery"
    assert throttled[-1].data["reason"] == "outage_battery"
    assert throttled[-1].data["charger"] == "Garage"
    available = hass.states.get("sensor.home_powerwall_power_available_to_vehicles")
    assert float(available.state) == pytest.approx(3500, abs=1)

    # At the threshold with no sun: charging stops.
    sources.battery = 50
    await sources.changed()
    assert car.switch.writes[-1] is False
    assert hass.states.get("sensor.garage_pilot_current").state == "0"

    # The sun comes out: surplus solar is shared at the threshold.
    sources.solar_w = 4000
    await poll(hass, freezer, 150, sources)  # past the 120 s resume delay
    assert car.switch.writes[-1] is True
    assert hass.states.get("sensor.garage_limit_reason").state == "outage_solar"
    assert car.commanded <= 3000 // VOLTS
    # Surplus = solar - home, the home being the Powerwall's load less the EV.
    load_w = float(hass.states.get(POWERWALL[CONF_HOME_LOAD_ENTITY]).state) * 1000
    ev_w = float(hass.states.get("sensor.garage_vehicle_current").state) * VOLTS
    surplus = hass.states.get("sensor.home_powerwall_surplus_solar")
    assert float(surplus.state) == pytest.approx(4000 - (load_w - ev_w), abs=1)

    # Grid back: no outage limit at all.
    sources.grid_up = True
    await poll(hass, freezer, 70, sources)
    assert len(ended) == 1
    assert (
        hass.states.get("binary_sensor.home_powerwall_grid_outage").state == STATE_OFF
    )
    assert hass.states.get("sensor.garage_limit_reason").state == "power_level"


async def test_restart_restores_user_settings(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    options = {**METER, CONF_NETWORK_LIMIT: 40, **POWERWALL}
    entry = site_entry(
        charger_subentry(wall_connector.port, **CONTROL), options=options
    )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (_state("number.garage_power_level", "20"), _number_data(20)),
            (_state("number.garage_priority", "3"), _number_data(3)),
            (_state("number.home_network_limit", "30"), _number_data(30, 40)),
            (_state("number.home_panel_limit", "80"), _number_data(80, 999)),
            (
                _state("number.home_powerwall_charging_threshold", "70"),
                _number_data(70, 50),
            ),
            (_state("switch.garage_managed", "on"), None),
            (_state("switch.home_power_management", "on"), None),
        ],
    )
    sources.report()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("number.garage_power_level").state == "20"
    assert hass.states.get("number.garage_priority").state == "3"
    assert hass.states.get("number.home_network_limit").state == "30"
    # Saved against another option value: the newer option wins.
    assert hass.states.get("number.home_panel_limit").state == "100"
    assert hass.states.get("number.home_powerwall_charging_threshold").state == "70"
    assert car.commanded == 20


def _state(entity_id: str, state: str) -> State:
    return State(entity_id, state)


def _number_data(value: float, configured: float | None = None) -> dict[str, Any]:
    return {
        "native_max_value": 1000,
        "native_min_value": 0,
        "native_step": 1,
        "native_unit_of_measurement": "A",
        "native_value": value,
        "configured": configured,
    }


async def test_stale_fallback_option_caps_every_charger(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, {**METER, CONF_STALE_FALLBACK: 10}, sources)
    assert car.commanded == 48
    sources.meter_value = "unavailable"
    await poll(hass, freezer, 36, sources)
    assert hass.states.get("sensor.garage_limit_reason").state == "stale_input"
    assert car.commanded == 10
