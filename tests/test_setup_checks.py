"""Refused at setup or at run time: two sites on a unit, shared or own controls,
missing inputs, a car that cannot be paused; services and numbers refusing."""

import math
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SAFETY_MARGIN,
    CONF_SWITCH_ENTITY,
    DOMAIN,
    SERVICE_BOOST,
    SERVICE_END_BOOST,
    SERVICE_PAUSE,
    SERVICE_RESUME,
)
from custom_components.tesla_power_mgmt.engine import MIN_CURRENT_A

from .common import SERIAL, FakeWallConnector, charger_subentry, site_entry
from .site import CONTROL, METER, Car, Sources, settle, start

CAR = CONTROL[CONF_CURRENT_ENTITY]


def repairs(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Return the site's open repairs: issue id (without the entry) -> key."""
    prefix = f"{entry.entry_id}_"
    return {
        issue_id.removeprefix(prefix): str(found.translation_key)
        for (domain, issue_id), found in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith(prefix)
    }


async def setup(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    for entry in entries:
        entry.add_to_hass(hass)
    # Setting up the first sets up every site of the integration.
    assert await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done()
    assert all(entry.state is ConfigEntryState.LOADED for entry in entries)


def managed(entry: MockConfigEntry) -> dict[str, bool]:
    config = entry.runtime_data.manager.data.config
    return {charger.charger_id: charger.managed for charger in config.chargers}


def garage(port: int, **data: Any) -> ConfigSubentryData:
    return charger_subentry(port, **{**CONTROL, **data})


async def test_unit_on_two_sites_is_refused_on_the_newer(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    """A restored backup: the older site keeps the unit; the other only monitors."""
    older = site_entry(garage(wall_connector.port))
    newer = site_entry(charger_subentry(wall_connector.port, title="Copy"))
    await setup(hass, older, newer)
    (copy_id,) = newer.subentries
    assert repairs(hass, newer) == {f"setup_refused_{copy_id}": "unit_on_two_sites"}
    assert repairs(hass, older) == {}
    assert managed(newer) == {copy_id: False}
    assert all(managed(older).values())
    found = ir.async_get(hass).async_get_issue(
        DOMAIN, f"{newer.entry_id}_setup_refused_{copy_id}"
    )
    assert found is not None
    assert found.translation_placeholders["serial"] == SERIAL


async def test_control_of_two_chargers_serves_the_first(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    entry = site_entry(
        garage(wall_connector.port),
        charger_subentry(9, title="Shed", unique_id="SHED", **CONTROL),
    )
    await setup(hass, entry)
    first, second = entry.subentries
    assert repairs(hass, entry) == {f"setup_refused_{second}": "control_shared"}
    assert managed(entry)[first]
    assert not managed(entry)[second]


async def test_own_entity_as_control_is_refused(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    own = er.async_get(hass).async_get_or_create(
        "number", DOMAIN, "other_power_level", suggested_object_id="other_power_level"
    )
    entry = site_entry(
        charger_subentry(wall_connector.port, **{CONF_CURRENT_ENTITY: own.entity_id})
    )
    await setup(hass, entry)
    (charger,) = entry.subentries
    assert repairs(hass, entry)[f"setup_refused_{charger}"] == "control_own_entity"
    assert managed(entry) == {charger: False}


async def test_network_limit_out_of_range_after_a_charger_is_added(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """Three chargers need 18 A; the 12 A limit is kept (it is the wiring's)."""
    entry = site_entry(
        charger_subentry(wall_connector.port),
        charger_subentry(9, title="B", unique_id="B"),
        charger_subentry(9, title="C", unique_id="C"),
        options={CONF_NETWORK_LIMIT: 12},
    )
    await setup(hass, entry)
    assert repairs(hass, entry)["setup_network_limit_range"] == "network_limit_range"
    found = ir.async_get(hass).async_get_issue(
        DOMAIN, f"{entry.entry_id}_setup_network_limit_range"
    )
    assert found is not None
    assert found.translation_placeholders["low"] == "18"
    manager = entry.runtime_data.manager
    assert manager.data.config.network_limit_a == 12
    assert sum(c.pilot_a for c in manager.data.decision.chargers.values()) <= 12


async def test_missing_source_raises_a_repair_until_it_is_back(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    entry = await start(hass, wall_connector, METER)
    assert repairs(hass, entry) == {
        f"setup_missing_{METER[CONF_GRID_POWER_ENTITY]}": "entity_missing"
    }
    hass.states.async_set(
        METER[CONF_GRID_POWER_ENTITY], "1000", {"unit_of_measurement": "W"}
    )
    await hass.async_block_till_done()
    assert repairs(hass, entry) == {}


async def test_car_that_cannot_be_paused_raises_a_repair(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    car.current._attr_native_min_value = 5
    car.current.async_write_ha_state()
    data = {k: v for k, v in CONTROL.items() if k != CONF_SWITCH_ENTITY}
    entry = site_entry(charger_subentry(wall_connector.port, **data))
    await setup(hass, entry)
    (charger,) = entry.subentries
    assert repairs(hass, entry) == {f"setup_cannot_pause_{charger}": "cannot_pause"}
    # It can go low again (its integration changed it): the repair goes.
    car.current._attr_native_min_value = 0
    car.current.async_write_ha_state()
    await hass.async_block_till_done()
    assert repairs(hass, entry) == {}


async def test_split_phase_meter_counts_the_worse_leg(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    """The car loads both legs; a 120 V load one: the higher leg bounds the car."""
    legs = {"sensor.leg_1": "30", "sensor.leg_2": "60"}
    for entity_id, amps in legs.items():
        hass.states.async_set(entity_id, amps, {"unit_of_measurement": "A"})
    entry = await start(
        hass,
        wall_connector,
        {
            CONF_PHASE_CURRENT_ENTITIES: list(legs),
            CONF_PANEL_LIMIT: 100,
            CONF_SAFETY_MARGIN: 2,
        },
    )
    data = entry.runtime_data.manager.data
    assert data.readings.meter is not None
    assert data.readings.meter.phase_current_a == (60.0,)
    car_a = float(car.vehicle.vitals["vehicle_current_a"])
    pilot = data.decision.chargers[next(iter(entry.subentries))].pilot_a
    assert pilot <= 100 - 2 - (60 - car_a)


def charger_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SERIAL), entry.entry_id
    )
    assert device is not None
    return device.id


@pytest.mark.parametrize(
    "service", [SERVICE_PAUSE, SERVICE_RESUME, SERVICE_BOOST, SERVICE_END_BOOST]
)
async def test_services_refuse_a_charger_without_control(
    hass: HomeAssistant, wall_connector: FakeWallConnector, service: str
) -> None:
    entry = site_entry(charger_subentry(wall_connector.port))
    await setup(hass, entry)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            service,
            {"device_id": charger_device(hass, entry)},
            blocking=True,
        )
    assert caught.value.translation_key == "charger_not_controllable"


async def test_pause_refused_when_not_managed(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: "switch.garage_managed"},
        blocking=True,
    )
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            SERVICE_PAUSE,
            {"device_id": charger_device(hass, entry)},
            blocking=True,
        )
    assert caught.value.translation_key == "charger_not_managed"
    assert car.switch.writes == []


@pytest.mark.parametrize(
    ("duration", "key"),
    [
        (math.nan, "not_finite"),
        ("inf", "not_finite"),
        (1.5, "not_whole"),
        (0, "out_of_range"),
        (10**6, "out_of_range"),
        ("an hour", "not_a_number"),
    ],
)
async def test_boost_duration_refused(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    duration: Any,
    key: str,
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            SERVICE_BOOST,
            {"device_id": charger_device(hass, entry), "duration": duration},
            blocking=True,
        )
    assert caught.value.translation_key == key
    settings = entry.runtime_data.manager.settings.chargers
    assert all(s.boost_until is None for s in settings.values())


async def test_boost_with_a_whole_duration(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_BOOST,
        {"device_id": charger_device(hass, entry), "duration": "30"},
        blocking=True,
    )
    (settings,) = entry.runtime_data.manager.settings.chargers.values()
    assert settings.boost_until is not None


@pytest.mark.parametrize(
    ("entity_id", "value", "key"),
    [
        ("number.garage_power_level", math.nan, "not_finite"),
        ("number.garage_power_level", 20.5, "not_whole"),
        ("number.garage_priority", math.nan, "not_finite"),
        ("number.home_panel_limit", math.nan, "not_finite"),
        ("number.home_panel_limit", 80.5, "not_whole"),
        ("number.home_safety_margin", math.nan, "not_finite"),
    ],
)
async def test_numbers_refuse_nan_and_fractions(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    entity_id: str,
    value: float,
    key: str,
) -> None:
    """HA's own number check lets ``nan`` through; ours does not."""
    entry = await start(hass, wall_connector, METER, sources)
    before = hass.states.get(entity_id)
    assert before is not None
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: entity_id, "value": value},
            blocking=True,
        )
    assert caught.value.translation_key == key
    after = hass.states.get(entity_id)
    assert after is not None
    assert after.state == before.state
    config = entry.runtime_data.manager.data.config
    assert config.panel_limit_a == METER[CONF_PANEL_LIMIT]
    assert all(c.max_current_a >= MIN_CURRENT_A for c in config.chargers)


async def test_restored_nan_is_not_used(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    mock_restore_cache(
        hass,
        [
            State("number.garage_power_level", "nan"),
            State("number.garage_priority", "inf"),
        ],
    )
    entry = await start(hass, wall_connector, METER, sources)
    (settings,) = entry.runtime_data.manager.settings.chargers.values()
    assert settings.power_level_a is None
    assert settings.priority == 0


async def test_a_restart_keeps_refusals(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    older = site_entry(garage(wall_connector.port))
    newer = site_entry(charger_subentry(wall_connector.port, title="Copy"))
    await setup(hass, older, newer)
    await hass.config_entries.async_reload(newer.entry_id)
    await hass.async_block_till_done()
    (copy_id,) = newer.subentries
    assert managed(newer) == {copy_id: False}
    assert await hass.config_entries.async_unload(newer.entry_id)
    assert repairs(hass, newer) == {}
    await settle(hass, older, None)
