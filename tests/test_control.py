"""Services, switches, numbers, repairs, shutdown and unload of a managed site."""

from types import MappingProxyType

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest

from custom_components.tesla_power_mgmt.const import (
    CONF_CURRENT_ENTITY,
    DOMAIN,
    SERVICE_BOOST,
    SERVICE_PAUSE,
    SERVICE_RESUME,
    SUBENTRY_TYPE_CHARGER,
)

from .common import SERIAL, FakeWallConnector, charger_subentry
from .site import (
    METER,
    VOLTS,
    Car,
    Sources,
    poll,
    start,
    start_beside_unreachable_shed,
)


def charger_device(hass: HomeAssistant) -> str:
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SERIAL), entry.entry_id
    )
    assert device is not None
    return device.id


async def test_pause_and_resume_services(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, METER, sources)
    device_id = charger_device(hass)
    await hass.services.async_call(
        DOMAIN, SERVICE_PAUSE, {"device_id": device_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert car.switch.writes == [False]
    assert hass.states.get("sensor.garage_limit_reason").state == "disabled"
    await poll(hass, freezer, 12, sources)
    assert hass.states.get("sensor.garage_limit_reason").state == "disabled"

    await hass.services.async_call(
        DOMAIN, SERVICE_RESUME, {"device_id": device_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert car.switch.writes == [False, True]


async def test_boost_gives_top_priority(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
) -> None:
    # A boosted charger outranks every priority a user can set.
    entry = await start_beside_unreachable_shed(hass, wall_connector, 12)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_BOOST,
        {"device_id": charger_device(hass), "duration": 30},
        blocking=True,
    )
    await hass.async_block_till_done()
    manager = entry.runtime_data.manager
    garage = next(iter(entry.subentries))
    assert manager.settings.chargers[garage].boost_until is not None
    assert manager.data.config.chargers[0].priority == 1000


async def test_service_errors(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, SERVICE_PAUSE, {"device_id": "nope"}, blocking=True
        )
    assert caught.value.translation_key == "device_not_found"
    site_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert site_device is not None
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, SERVICE_PAUSE, {"device_id": site_device.id}, blocking=True
        )
    assert caught.value.translation_key == "not_a_charger"


async def test_power_level_and_management_switches(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, METER, sources)
    assert car.commanded == 48
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.garage_power_level", "value": 16},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert car.commanded == 16
    assert hass.states.get("number.garage_power_level").state == "16"

    # Not managed: nothing more is written, whatever the limits do.
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: "switch.garage_managed"}, blocking=True
    )
    writes = len(car.current.writes)
    sources.home_w += 20_000
    await sources.changed()
    assert len(car.current.writes) == writes
    assert hass.states.get("sensor.garage_limit_reason").state == "not_managed"

    # Power management off for the site, charger managed again: still nothing.
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: "switch.home_power_management"},
        blocking=True,
    )
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.garage_managed"}, blocking=True
    )
    await hass.async_block_till_done()
    assert len(car.current.writes) == writes
    await hass.services.async_call(
        "switch",
        "turn_on",
        {ATTR_ENTITY_ID: "switch.home_power_management"},
        blocking=True,
    )
    await hass.async_block_till_done()
    # Back under management on an overloaded panel: lowered or paused at once.
    pilot = int(hass.states.get("sensor.garage_pilot_current").state)
    assert pilot <= 6
    assert car.commanded == pilot or car.switch.writes[-1] is False


async def test_panel_limit_number_acts_at_once(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    await start(hass, wall_connector, METER, sources)
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.home_panel_limit", "value": 40},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert car.commanded <= 40 - 2 - sources.home_w / VOLTS


async def test_missing_control_entity_raises_repair(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
) -> None:
    entry = await start(
        hass,
        wall_connector,
        METER,
        sources,
        **{CONF_CURRENT_ENTITY: "number.other_car_charge_current"},
    )
    subentry_id = next(iter(entry.subentries))
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"{entry.entry_id}_control_missing_{subentry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "Garage",
        "entity": "number.other_car_charge_current",
    }
    # Budgeted at what it measures, and nothing is written anywhere.
    assert hass.states.get("sensor.garage_limit_reason").state == "not_managed"
    assert car.current.writes == []


async def test_vehicle_not_following_raises_repair(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    sources.home_w = 80 * VOLTS
    entry = await start(hass, wall_connector, METER, sources)
    assert car.commanded == 18
    car.vehicle.max_a = 48
    # The car ignores its commands and draws 32 A.
    car.vehicle.request_a = 32
    car.current.async_set_native_value = _ignore  # type: ignore[method-assign]
    car.switch.async_turn_off = _ignore_switch  # type: ignore[method-assign]
    await poll(hass, freezer, 90, sources)
    subentry_id = next(iter(entry.subentries))
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"{entry.entry_id}_not_following_{subentry_id}"
    )


async def _ignore(value: float) -> None:
    """A vehicle that does not follow commands."""


async def _ignore_switch(**kwargs: object) -> None:
    """Nor stops when told to."""


async def test_unload_removes_listeners_and_repairs(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(
        hass, wall_connector, METER, sources, **{CONF_CURRENT_ENTITY: "number.nope"}
    )
    # Home Assistant's own listeners (its HTTP session's) stay; ours must not.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    before = hass.bus.async_listeners()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).issues
    assert hass.bus.async_listeners() != before
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    after = hass.bus.async_listeners()
    assert {k: v for k, v in after.items() if v != before.get(k, 0)} == {}
    assert not ir.async_get(hass).issues
    assert hass.states.get("sensor.garage_pilot_current").state == STATE_UNAVAILABLE
    writes = len(car.current.writes)
    sources.home_w += 10_000
    await sources.changed()
    assert len(car.current.writes) == writes


async def test_charger_added_while_running_waits_for_the_reload(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    manager = entry.runtime_data.manager
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({**charger_subentry(9)["data"]}),
            subentry_type=SUBENTRY_TYPE_CHARGER,
            title="Shed",
            unique_id="SHED0001",
        ),
    )
    # An evaluation before the reload knows only the chargers it was set up with.
    manager.async_evaluate()
    assert list(manager.data.decision.chargers) == list(manager.chargers)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert len(entry.runtime_data.manager.chargers) == 2
    assert hass.states.get("sensor.shed_limit_reason") is not None


async def test_a_car_we_resumed_still_asks_while_it_starts(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    sources.home_w = 99 * VOLTS
    await start(hass, wall_connector, METER, sources)
    assert car.switch.writes == [False]
    sources.home_w = 20 * VOLTS
    for _ in range(40):
        await poll(hass, freezer, 6, sources)
        if car.switch.writes != [False]:
            break
    # Switched on; its Wall Connector does not show it charging yet.
    await sources.changed()
    assert hass.states.get("sensor.garage_limit_reason").state != "no_vehicle"
    assert int(hass.states.get("sensor.garage_pilot_current").state) >= 6
    assert car.switch.writes == [False, True]
