"""Stop, reload, restart and unload with paused and held cars: the limits hold."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import (
    DOMAIN,
    SERVICE_BOOST,
    SERVICE_PAUSE,
)
from custom_components.tesla_power_mgmt.persistence import storage_key

from .common import SERIAL, FakeWallConnector, charger_subentry, site_entry
from .site import CONTROL, METER, VOLTS, Car, Sources, poll, start

PANEL_A = METER["panel_limit"]
MARGIN_A = METER["safety_margin"]


def within_panel(car: Car, sources: Sources) -> bool:
    """Whether the car's setting and the home fit the panel less its margin."""
    drawing = car.commanded if car.vehicle.charging else 0.0
    return drawing + sources.home_w / VOLTS <= PANEL_A - MARGIN_A


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Stop Home Assistant's part of the site and set it up again from storage."""
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def test_stop_keeps_a_paused_car_paused(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    sources.home_w = 99 * VOLTS
    await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False]
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert car.switch.writes == [False]
    assert not car.vehicle.charging
    # The home alone is over the margin; the car adds nothing to it.
    assert sources.home_w / VOLTS <= PANEL_A


async def test_stop_does_not_raise_a_held_car(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    sources.home_w = 80 * VOLTS
    await start(hass, wall_connector, METER, sources)
    assert car.commanded == 18
    writes = list(car.current.writes)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    # The fallback (98 A for the one charger) would raise it: it stays at 18 A.
    assert car.current.writes == writes
    assert car.commanded == 18
    assert within_panel(car, sources)
    # Nothing is sent after the stop, whatever the meter does.
    sources.home_w = 90 * VOLTS
    await sources.changed()
    assert car.current.writes == writes


@pytest.mark.parametrize("cycle", [restart, reload])
async def test_a_car_we_paused_is_resumed_when_room_allows(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
    cycle: object,
) -> None:
    sources.home_w = 99 * VOLTS
    entry = await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False]
    await cycle(hass, entry)  # type: ignore[operator]
    assert car.switch.writes == [False]
    sources.home_w = 20 * VOLTS
    for _ in range(40):
        await poll(hass, freezer, 6, sources)
        assert within_panel(car, sources)
    assert car.switch.writes == [False, True]
    assert car.vehicle.charging
    assert car.commanded >= 6


@pytest.mark.parametrize("cycle", [restart, reload])
async def test_a_car_the_user_paused_stays_paused(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
    cycle: object,
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    # The user stops charging in the car's own app.
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: "switch.car_charging"}, blocking=True
    )
    await poll(hass, freezer, 12, sources)
    await cycle(hass, entry)  # type: ignore[operator]
    await poll(hass, freezer, 300, sources)
    assert car.switch.writes == [False]
    assert not car.vehicle.charging
    assert within_panel(car, sources)


async def test_pause_and_boost_survive_a_restart(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SERIAL), entry.entry_id
    )
    assert device is not None
    for service, data in ((SERVICE_BOOST, {"duration": 60}), (SERVICE_PAUSE, {})):
        await hass.services.async_call(
            DOMAIN, service, {"device_id": device.id, **data}, blocking=True
        )
    await hass.async_block_till_done()
    garage = next(iter(entry.subentries))
    boost_until = entry.runtime_data.manager.settings.chargers[garage].boost_until
    await restart(hass, entry)
    settings = entry.runtime_data.manager.settings.chargers[garage]
    assert settings.paused
    assert settings.boost_until == boost_until
    await poll(hass, freezer, 300, sources)
    assert hass.states.get("sensor.garage_limit_reason").state == "disabled"
    assert car.switch.writes == [False]


async def test_stop_then_unload_logs_no_listener_error(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert "Unable to remove unknown job listener" not in caplog.text


@pytest.mark.parametrize("cycle", [restart, reload])
async def test_a_waiting_car_keeps_its_waiting_clock(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
    cycle: object,
) -> None:
    sources.home_w = 99 * VOLTS
    entry = await start(hass, wall_connector, METER, sources)
    garage = next(iter(entry.subentries))
    await poll(hass, freezer, 60, sources)
    before = entry.runtime_data.manager.state.chargers[garage]
    assert before.queue.waiting_since is not None
    await cycle(hass, entry)  # type: ignore[operator]
    after = entry.runtime_data.manager.state.chargers[garage]
    # Started fresh, the clock would read the time of the restart.
    assert after.queue.waiting_since == before.queue.waiting_since
    assert after.pilot_a == before.pilot_a


@pytest.mark.parametrize(
    "stored",
    [
        {"version": 1, "data": {"engine": "x", "vehicles": 3, "chargers": [1]}},
        {"version": 1, "data": {"engine": {"version": 99, "chargers": {"a": 1}}}},
        {"version": 1, "data": {"engine": {"version": 1, "chargers": {"a": []}}}},
        {"version": 99, "data": {}},
        {"version": 1, "data": ["not", "a", "dict"]},
    ],
)
async def test_a_garbage_store_starts_fresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    stored: dict[str, Any],
) -> None:
    entry = site_entry(charger_subentry(wall_connector.port, **CONTROL), options=METER)
    hass_storage[storage_key(entry.entry_id)] = {"key": "x", **stored}
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    garage = next(iter(entry.subentries))
    assert entry.runtime_data.manager.state.chargers[garage].pilot_a > 0
    assert within_panel(car, sources)
