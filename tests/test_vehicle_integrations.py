"""The control loop against each vehicle integration's real number and switch rules."""

import asyncio

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    setup_test_component_platform,
)

from custom_components.tesla_power_mgmt.const import DOMAIN

from .common import FakeWallConnector
from .site import METER, VOLTS, Sources, poll, start
from .vehicles import EmulatedCar

CLOUD = ["fleet", "teslemetry", "tessie"]
PANEL_ROOM_A = METER["panel_limit"] - METER["safety_margin"]


async def emulate(hass: HomeAssistant, unit: FakeWallConnector, kind: str, **kw: int):
    car = EmulatedCar(unit, kind, **kw)
    setup_test_component_platform(hass, "number", [car.current])
    setup_test_component_platform(hass, "switch", [car.switch])
    assert await async_setup_component(hass, "number", {"number": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    await hass.async_block_till_done()
    return car, Sources(hass, car)  # type: ignore[arg-type]


def issue(
    hass: HomeAssistant, entry: MockConfigEntry, key: str
) -> ir.IssueEntry | None:
    subentry_id = next(iter(entry.subentries))
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"{entry.entry_id}_{key}_{subentry_id}"
    )


def within_panel(car: EmulatedCar, sources: Sources) -> bool:
    drawing = float(car.vehicle.vitals["vehicle_current_a"])
    return drawing + sources.home_w / VOLTS <= PANEL_ROOM_A + 1e-6


@pytest.mark.parametrize("kind", CLOUD)
async def test_clamped_to_a_moving_entity_max(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    kind: str,
) -> None:
    car, sources = await emulate(hass, wall_connector, kind, request_a=40)
    car.vehicle.offered_a = 32
    car.current.async_write_ha_state()
    entry = await start(hass, wall_connector, METER, sources)
    assert car.current.writes == [32]
    assert issue(hass, entry, "vehicle_max_limits") is not None
    # The charger offers less: the entity's max follows, and the value with it.
    car.vehicle.offered_a = 20
    car.current.async_write_ha_state()
    await poll(hass, freezer, 12, sources)
    assert car.current.writes == [32, 20]
    assert max(car.current.writes) <= 32
    # Offered the full 48 A again: raised, and the repair goes.
    car.vehicle.offered_a = 48
    car.current.async_write_ha_state()
    await poll(hass, freezer, 120, sources)
    assert car.current.writes[-1] == 48
    assert issue(hass, entry, "vehicle_max_limits") is None
    assert within_panel(car, sources)


async def test_ble_clamps_to_the_cars_max_without_a_write_loop(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    car, sources = await emulate(hass, wall_connector, "ble", max_a=32)
    await start(hass, wall_connector, METER, sources)
    await poll(hass, freezer, 300, sources)
    # The entity shows the car's 32 A, never written back; the engine then caps
    # the car near its draw (it draws less than its pilot): two writes in all.
    assert car.current.writes == [48, 34]
    await poll(hass, freezer, 300, sources)
    assert car.current.writes == [48, 34]
    assert hass.states.get("number.car_charge_current").state == "32"
    assert within_panel(car, sources)


async def test_tessie_state_lagging_the_write_is_not_written_again(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    car, sources = await emulate(hass, wall_connector, "tessie")
    sources.home_w = 80 * VOLTS
    await start(hass, wall_connector, METER, sources)
    await poll(hass, freezer, 120, sources)
    assert car.current.writes == [18]
    assert hass.states.get("number.car_charge_current").state == "32"
    assert within_panel(car, sources)


@pytest.mark.parametrize("kind", [*CLOUD, "ble"])
async def test_no_command_to_a_car_not_plugged_in(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    kind: str,
) -> None:
    car, sources = await emulate(hass, wall_connector, kind)
    sources.home_w = 99 * VOLTS
    await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False]
    # Unplugged while paused: the room that comes back is not a reason to write.
    car.vehicle.plugged = False
    await poll(hass, freezer, 12, sources)
    sources.home_w = 10 * VOLTS
    await poll(hass, freezer, 600, sources)
    assert car.switch.writes == [False]
    assert car.current.writes == []
    # Plugged in again (charging on, as a car arrives): managed from its draw.
    car.vehicle.plugged = True
    car.vehicle.charging = True
    await poll(hass, freezer, 12, sources)
    assert car.switch.writes == [False]
    assert within_panel(car, sources)


@pytest.mark.parametrize(
    "error",
    [
        HomeAssistantError("rate limited"),
        ValueError("bad value"),
        TimeoutError(),
        RuntimeError("not connected"),
        KeyError("vin"),
    ],
    ids=type,
)
async def test_failing_commands_back_off_and_raise_a_repair(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    error: BaseException,
) -> None:
    car, sources = await emulate(hass, wall_connector, "fleet")
    entry = await start(hass, wall_connector, METER, sources)
    assert car.current.writes == [48]
    car.current.calls.error = error
    before = car.current.calls.count
    sources.home_w = 80 * VOLTS
    await poll(hass, freezer, 300, sources)
    calls = car.current.calls.count - before
    # 0, 10, 30, 70, 150 s (each up to a poll later): not one per evaluation.
    assert 4 <= calls <= 6
    assert issue(hass, entry, "commands_failing") is not None
    manager = entry.runtime_data.manager
    garage = next(iter(entry.subentries))
    assert manager.actuator.failed[garage] == calls
    # The failed value is not taken as written; the car counts at its draw.
    assert manager.control.vehicle(garage).sent_a == 48
    assert manager.data.decision.chargers[garage].reserved_a[0] >= 48
    assert "Task exception was never retrieved" not in caplog.text
    car.current.calls.error = None
    await poll(hass, freezer, 310, sources)
    assert car.current.writes[-1] == 18
    assert issue(hass, entry, "commands_failing") is None


async def test_nothing_is_sent_after_an_unload_during_a_slow_call(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    car, sources = await emulate(hass, wall_connector, "fleet")
    sources.home_w = 99 * VOLTS
    entry = await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False]
    actuator = entry.runtime_data.manager.actuator

    async def unload_meanwhile() -> None:
        # The site is unloaded while the resume's first command is on its way.
        hass.async_create_task(hass.config_entries.async_unload(entry.entry_id))
        for _ in range(10):
            await asyncio.sleep(0)
        assert actuator.closed

    car.current.calls.during = unload_meanwhile
    sources.home_w = 20 * VOLTS
    for _ in range(60):
        await poll(hass, freezer, 6, sources)
        if car.current.calls.count:
            break
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    # The write on its way finished; the switch-on after it never went.
    assert car.current.calls.count == 1
    assert car.switch.writes == [False]
