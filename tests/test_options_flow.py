"""Site options: every page, every refusal."""

from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.tesla_power_mgmt.const import (
    CONF_BACKED_UP_PHASES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_INCREASE_INTERVAL,
    CONF_NETWORK_LIMIT,
    CONF_OUTAGE_MARGIN,
    CONF_PANEL_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_POWERWALL_UNITS,
    CONF_SAFETY_MARGIN,
    CONF_SCAN_INTERVAL,
    CONF_SOLAR_POWER_ENTITY,
    CONF_STALE_FALLBACK,
    BackedUpPhases,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Timing

from .common import charger_subentry, site_entry


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


# The entities the pages are given, as their integrations would show them.
SENSORS = {
    "sensor.grid": ("1200", {"device_class": "power", "unit_of_measurement": "W"}),
    "sensor.load": ("2.1", {"device_class": "power", "unit_of_measurement": "kW"}),
    "sensor.solar": ("0.4", {"device_class": "power", "unit_of_measurement": "kW"}),
    "sensor.pw": ("55", {"device_class": "battery", "unit_of_measurement": "%"}),
    "binary_sensor.grid": ("on", {"device_class": "power"}),
    **{
        f"sensor.l{phase}": (
            "12",
            {"device_class": "current", "unit_of_measurement": "A"},
        )
        for phase in (1, 2, 3)
    },
}


@pytest.fixture(autouse=True)
def sensors(hass: HomeAssistant) -> None:
    for entity_id, (state, attributes) in SENSORS.items():
        hass.states.async_set(entity_id, state, attributes)


async def open_page(hass: HomeAssistant, entry: Any, page: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": page}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == page
    return result


async def test_polling(hass: HomeAssistant) -> None:
    entry = site_entry(options={CONF_NETWORK_LIMIT: 40})
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "polling")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 10}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 10, CONF_NETWORK_LIMIT: 40}


async def test_power_meter_saved_and_cleared(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_GRID_POWER_ENTITY: "sensor.grid",
            CONF_PANEL_LIMIT: 100,
            CONF_SAFETY_MARGIN: 3,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_GRID_POWER_ENTITY: "sensor.grid",
        CONF_PANEL_LIMIT: 100,
        CONF_SAFETY_MARGIN: 3,
    }
    result = await open_page(hass, entry, "power_meter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SAFETY_MARGIN: 2}
    )
    assert entry.options == {CONF_SAFETY_MARGIN: 2}


@pytest.mark.parametrize(
    ("supply", "page", "error"),
    [
        (
            Supply.SINGLE_PHASE,
            {
                CONF_GRID_POWER_ENTITY: "sensor.grid",
                CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1"],
                CONF_PANEL_LIMIT: 100,
            },
            {"base": "one_meter_kind"},
        ),
        (
            Supply.THREE_PHASE,
            {
                CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l2"],
                CONF_PANEL_LIMIT: 32,
            },
            {CONF_PHASE_CURRENT_ENTITIES: "phase_count"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_GRID_POWER_ENTITY: "sensor.grid"},
            {CONF_PANEL_LIMIT: "panel_limit_required"},
        ),
        (
            Supply.SINGLE_PHASE,
            {
                CONF_GRID_POWER_ENTITY: "sensor.grid",
                CONF_PANEL_LIMIT: 10,
                CONF_SAFETY_MARGIN: 10,
            },
            {CONF_SAFETY_MARGIN: "margin_too_large"},
        ),
    ],
)
async def test_power_meter_refusals(
    hass: HomeAssistant, supply: Supply, page: dict[str, Any], error: dict[str, str]
) -> None:
    entry = site_entry(supply=supply)
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SAFETY_MARGIN: 2, **page}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error


@pytest.mark.parametrize("value", [5, 2000.5, "many"])
async def test_power_meter_numbers_bounded(hass: HomeAssistant, value: Any) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PANEL_LIMIT: value, CONF_SAFETY_MARGIN: 2}
        )


async def test_group_range_from_the_chargers(hass: HomeAssistant) -> None:
    # 60 A breakers under NEC: 48 A units; 32 A breakers: 25 A units.
    entry = site_entry(
        charger_subentry(80, breaker=60, unique_id="A"),
        charger_subentry(81, breaker=32, unique_id="B"),
    )
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "group")
    assert result["description_placeholders"] == {"min": "12", "max": "73", "size": "2"}
    for limit in (11, 74):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_NETWORK_LIMIT: limit}
        )
        assert result["errors"] == {CONF_NETWORK_LIMIT: "network_limit_range"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_NETWORK_LIMIT: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_NETWORK_LIMIT: 60}


async def test_group_needs_chargers(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "group")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_NETWORK_LIMIT: 40}
    )
    assert result["errors"] == {CONF_NETWORK_LIMIT: "no_chargers"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_powerwall_suggests_found_entities(hass: HomeAssistant) -> None:
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "sensor",
        "powerwall",
        "charge",
        suggested_object_id="powerwall_charge",
        original_device_class="battery",
    )
    registry.async_get_or_create(
        "binary_sensor",
        "powerwall",
        "grid",
        suggested_object_id="powerwall_grid_status",
    )
    registry.async_get_or_create(
        "sensor",
        "powerwall",
        "solar",
        suggested_object_id="powerwall_solar_now",
        original_device_class="power",
    )
    registry.async_get_or_create(
        "sensor",
        "powerwall",
        "load",
        suggested_object_id="powerwall_load_now",
        original_device_class="power",
    )
    registry.async_get_or_create(
        "sensor",
        "other",
        "x",
        suggested_object_id="other_battery",
        original_device_class="battery",
    )
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "powerwall")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested[CONF_BATTERY_LEVEL_ENTITY] == "sensor.powerwall_charge"
    assert suggested[CONF_GRID_STATUS_ENTITY] == "binary_sensor.powerwall_grid_status"
    assert suggested[CONF_SOLAR_POWER_ENTITY] == "sensor.powerwall_solar_now"
    assert suggested[CONF_HOME_LOAD_ENTITY] == "sensor.powerwall_load_now"


async def test_powerwall_saved_or_refused_when_incomplete(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "powerwall")
    numbers = {
        CONF_DISCHARGE_CAPABILITY: 11.5,
        CONF_POWERWALL_UNITS: 1,
        CONF_CHARGING_THRESHOLD: 40,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_BATTERY_LEVEL_ENTITY: "sensor.pw", **numbers}
    )
    assert result["errors"] == {"base": "powerwall_incomplete"}
    complete = {
        CONF_BATTERY_LEVEL_ENTITY: "sensor.pw",
        CONF_GRID_STATUS_ENTITY: "binary_sensor.grid",
        CONF_HOME_LOAD_ENTITY: "sensor.load",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**complete, **numbers}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {**complete, **numbers, CONF_OUTAGE_MARGIN: 10}


async def test_powerwall_backed_up_phases_and_margin(hass: HomeAssistant) -> None:
    """Every phase can be chosen on a three-phase site; a margin over 50 % is not."""
    entry = site_entry(supply=Supply.THREE_PHASE)
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "powerwall")
    assert CONF_BACKED_UP_PHASES in result["data_schema"].schema
    given = {
        CONF_BATTERY_LEVEL_ENTITY: "sensor.pw",
        CONF_GRID_STATUS_ENTITY: "binary_sensor.grid",
        CONF_HOME_LOAD_ENTITY: "sensor.load",
        CONF_BACKED_UP_PHASES: BackedUpPhases.ALL,
        CONF_OUTAGE_MARGIN: 60,
    }
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(result["flow_id"], given)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**given, CONF_OUTAGE_MARGIN: 15}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_BACKED_UP_PHASES] == BackedUpPhases.ALL
    assert entry.options[CONF_OUTAGE_MARGIN] == 15


async def test_backed_up_phases_not_asked_on_a_single_phase_site(
    hass: HomeAssistant,
) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "powerwall")
    assert CONF_BACKED_UP_PHASES not in result["data_schema"].schema


async def test_timing_defaults_are_the_engines(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "timing")
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if str(key) != CONF_STALE_FALLBACK
    }
    assert defaults[CONF_INCREASE_INTERVAL] == Timing().increase_interval_s
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**defaults, CONF_INCREASE_INTERVAL: 120, CONF_STALE_FALLBACK: 10},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_INCREASE_INTERVAL] == 120
    assert entry.options[CONF_STALE_FALLBACK] == 10
