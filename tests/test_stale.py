"""Devices and entities an option no longer asks for are removed on reload."""

from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.tesla_power_mgmt.const import (
    CONF_NETWORK_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
)

from .common import FakeWallConnector
from .site import METER, POWERWALL, Car, Sources, start


def _unique_ids(hass: HomeAssistant, entry_id: str) -> set[str]:
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    return {entity.unique_id.removeprefix(f"{entry_id}_") for entity in entities}


def _devices(hass: HomeAssistant, entry_id: str) -> set[str]:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    return {device.name or "" for device in devices}


async def _set_options(hass: HomeAssistant, entry_id: str, options: dict) -> None:
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    hass.config_entries.async_update_entry(entry, options=options)
    await hass.async_block_till_done()


async def test_cleared_meter_and_powerwall_leave_no_device(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
) -> None:
    entry = await start(
        hass, wall_connector, {**METER, **POWERWALL, CONF_NETWORK_LIMIT: 40}, sources
    )
    assert _devices(hass, entry.entry_id) == {
        "Garage",
        "Home",
        "Home power meter",
        "Home Powerwall",
    }
    before = _unique_ids(hass, entry.entry_id)
    assert {"meter_grid_power", "meter_headroom", "group_network_limit"} <= before

    await _set_options(hass, entry.entry_id, {})

    assert _devices(hass, entry.entry_id) == {"Garage", "Home"}
    after = _unique_ids(hass, entry.entry_id)
    assert not {u for u in after if u.startswith(("meter_", "powerwall_"))}
    assert "group_network_limit" not in after
    # The charger's entities stay, disabled ones included (registry only).
    assert {u for u in before if not u.startswith(("meter_", "powerwall_"))} - {
        "group_network_limit",
        "group_panel_limit",
        "group_safety_margin",
    } <= after
    for entity_id in (
        "sensor.home_power_meter_grid_power",
        "number.home_network_limit",
    ):
        assert hass.states.get(entity_id) is None


async def test_fewer_phase_sensors_leave_no_phase_entity(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
) -> None:
    phases = {**METER, CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l2"]}
    del phases["grid_power_entity"]
    entry = await start(hass, wall_connector, phases, sources)
    assert {"meter_phase_1_current", "meter_phase_2_current"} <= _unique_ids(
        hass, entry.entry_id
    )

    await _set_options(
        hass, entry.entry_id, {**phases, CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1"]}
    )

    ids = _unique_ids(hass, entry.entry_id)
    assert "meter_phase_1_current" in ids
    assert "meter_phase_2_current" not in ids
    assert "Home power meter" in _devices(hass, entry.entry_id)


async def test_disabled_entities_are_kept(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    """Disabled by default is not stale: the user may enable it."""
    entry = await start(hass, wall_connector, {})
    registry = er.async_get(hass)
    disabled = [
        entity
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if entity.disabled_by is not None
    ]
    assert disabled
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    for entity in disabled:
        assert registry.async_get(entity.entity_id) is not None


async def test_a_failed_platform_keeps_its_entities(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    """A platform whose setup raised offered nothing: its entities are not stale."""
    entry = await start(hass, wall_connector, {})
    registry = er.async_get(hass)
    numbers = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if entity.domain == "number"
    ]
    assert numbers
    with patch(
        "custom_components.tesla_power_mgmt.number.async_setup_entry",
        side_effect=RuntimeError("boom"),
    ):
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    for entity_id in numbers:
        assert registry.async_get(entity_id) is not None
