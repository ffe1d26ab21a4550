"""The development helper integration: its entities read and drive the site."""

import aiohttp
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.sim_site.runtime import SimRuntime


@pytest.fixture
async def runtime(hass: HomeAssistant, socket_enabled: None) -> SimRuntime:
    """Set the helper up from YAML: time stands still, free ports."""
    assert await async_setup_component(
        hass, "sim_site", {"sim_site": {"speed": 0, "start": "12:00", "port": 0}}
    )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries("sim_site")[0]
    return entry.runtime_data  # type: ignore[no-any-return]


def tick(runtime: SimRuntime, seconds: float) -> None:
    """Advance the simulated site and update the entities."""
    assert runtime.site is not None
    runtime.site.advance(seconds)
    runtime.async_update_listeners()


async def test_entities_show_the_site(hass: HomeAssistant, runtime: SimRuntime) -> None:
    tick(runtime, 5)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.simulator_time_of_day").state == "12:00"
    assert float(hass.states.get("sensor.sim_meter_grid_power").state) > 0
    assert float(hass.states.get("sensor.sim_meter_l1_current").state) > 0
    assert float(hass.states.get("sensor.sim_meter_current").state) > 0
    assert float(hass.states.get("sensor.sim_powerwall_solar_power").state) > 0
    assert (
        hass.states.get("sensor.sim_powerwall_solar_power").attributes[
            "unit_of_measurement"
        ]
        == "kW"
    )
    assert hass.states.get("sensor.sim_powerwall_charge").state == "70.0"
    assert hass.states.get("binary_sensor.sim_powerwall_grid_status").state == STATE_ON
    assert hass.states.get("number.model_y_charge_current").state == "48"
    assert hass.states.get("switch.model_y_charge").state == STATE_ON


async def test_wall_connectors_answer_on_127_0_0_1(
    hass: HomeAssistant, runtime: SimRuntime
) -> None:
    tick(runtime, 5)
    host = runtime.hosts["garage"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{host}/api/1/version") as response,
    ):
        assert response.status == 200
        assert "PGT1000000101" in await response.text()


async def test_vehicle_number_and_switch_drive_the_car(
    hass: HomeAssistant, runtime: SimRuntime
) -> None:
    assert runtime.site is not None
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.model_y_charge_current", "value": 16},
        blocking=True,
    )
    assert hass.states.get("number.model_y_charge_current").state == "16"
    tick(runtime, 15)
    assert runtime.site.chargers["garage"].current_a == pytest.approx(16)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.model_y_charge"}, blocking=True
    )
    assert hass.states.get("switch.model_y_charge").state == STATE_OFF
    tick(runtime, 15)
    assert runtime.site.chargers["garage"].current_a == 0
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.model_y_battery_level", "value": 95},
        blocking=True,
    )
    assert runtime.site.dev_vehicles["Model Y"].soc_pct == 95


async def test_event_switches(hass: HomeAssistant, runtime: SimRuntime) -> None:
    assert runtime.site is not None
    for entity_id in (
        "switch.simulator_grid_outage",
        "switch.simulator_appliance_spike",
        "switch.simulator_carport_offline",
        "switch.model_3_plugged_in",
    ):
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": entity_id}, blocking=True
        )
        assert hass.states.get(entity_id).state == STATE_ON
    tick(runtime, 3)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.sim_powerwall_grid_status").state == STATE_OFF
    assert runtime.site.spike
    assert runtime.site.offline("carport")
    await hass.services.async_call(
        "switch",
        "turn_off",
        {"entity_id": "switch.simulator_carport_offline"},
        blocking=True,
    )
    assert not runtime.site.offline("carport")
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.simulator_speed", "value": 60},
        blocking=True,
    )
    assert runtime.speed == 60


async def test_state_is_saved_on_unload(
    hass: HomeAssistant, runtime: SimRuntime, hass_storage: dict
) -> None:
    assert runtime.site is not None
    runtime.site.dev_vehicles["Cybertruck"].soc_pct = 66
    entry = hass.config_entries.async_entries("sim_site")[0]
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage["sim_site.state"]["data"]
    assert saved["vehicles"]["Cybertruck"]["soc"] == 66
    assert saved["clock_s"] == pytest.approx(12 * 3600, abs=5)
