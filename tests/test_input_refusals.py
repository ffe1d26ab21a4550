"""What the flows refuse or warn about, each with its translated reason."""

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_POWERWALL_UNITS,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    CONF_SUPPLY,
    CONF_SWITCH_ENTITY,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

from .common import FakeWallConnector, charger_subentry, site_entry

CAR = "number.car_charge_current"
SWITCH = "switch.car_charging"


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


@pytest.fixture(autouse=True)
def entities(hass: HomeAssistant) -> None:
    """A car's control and a meter, as their integrations show them."""
    hass.states.async_set(CAR, "16", {"min": 0, "max": 48, "unit_of_measurement": "A"})
    hass.states.async_set(SWITCH, "on")
    for entity_id, device_class, unit in (
        ("sensor.grid", "power", "W"),
        ("sensor.energy", "energy", "kWh"),
        ("sensor.grid_kwh", None, "kWh"),
        ("sensor.pw", "battery", "%"),
        ("sensor.load", "power", "kW"),
        ("binary_sensor.grid", None, None),
        ("sensor.l1", "current", "A"),
        ("sensor.l2", "current", "A"),
        ("sensor.l3", "current", "A"),
    ):
        attributes = {"device_class": device_class, "unit_of_measurement": unit}
        hass.states.async_set(
            entity_id, "1", {k: v for k, v in attributes.items() if v}
        )


def own_entity(hass: HomeAssistant, domain: str, object_id: str) -> str:
    """Register an entity of this integration (as a loaded site has)."""
    entity = er.async_get(hass).async_get_or_create(
        domain, DOMAIN, object_id, suggested_object_id=object_id
    )
    hass.states.async_set(
        entity.entity_id, "1", {"device_class": "power", "unit_of_measurement": "W"}
    )
    return entity.entity_id


async def charger_form(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CHARGER), context={"source": SOURCE_USER}
    )


async def submit_charger(
    hass: HomeAssistant, entry: MockConfigEntry, port: int, **changes: Any
) -> Any:
    result = await charger_form(hass, entry)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: port, CONF_BREAKER: 60, **changes},
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_BREAKER: 40.5}, {CONF_BREAKER: "not_whole"}),
        ({CONF_BREAKER: float("nan")}, {CONF_BREAKER: "not_finite"}),
        ({CONF_BREAKER: 6}, {CONF_BREAKER: "breaker_too_small"}),
        ({CONF_BREAKER: 7}, {CONF_BREAKER: "breaker_too_small"}),
        ({CONF_BREAKER: None}, {CONF_BREAKER: "breaker_required"}),
        ({CONF_PORT: 80.5}, {CONF_PORT: "not_whole"}),
        ({CONF_PORT: float("nan")}, {CONF_PORT: "not_finite"}),
        ({CONF_HOST: "999.1.1.1"}, {CONF_HOST: "invalid_host"}),
        ({CONF_HOST: "192.168.1.020"}, {CONF_HOST: "invalid_host"}),
        ({CONF_HOST: "2130706433"}, {CONF_HOST: "invalid_host"}),
        ({CONF_HOST: "\u017ftation.local"}, {CONF_HOST: "invalid_host"}),
        ({CONF_CURRENT_ENTITY: "light.kitchen"}, {CONF_CURRENT_ENTITY: "wrong_domain"}),
        ({CONF_SWITCH_ENTITY: SWITCH}, {CONF_CURRENT_ENTITY: "switch_without_current"}),
    ],
)
async def test_charger_refusals(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Refused with a reason on the field, and nothing asked of the unit."""
    entry = site_entry(region=Region.NEC)
    entry.add_to_hass(hass)
    data = {CONF_HOST: "127.0.0.1", CONF_PORT: wall_connector.port, CONF_BREAKER: 60}
    data |= changes
    result = await charger_form(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {k: v for k, v in data.items() if v is not None}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert wall_connector.requests == []
    if errors.get(CONF_BREAKER) == "breaker_too_small":
        assert result["description_placeholders"] == {"low": "8", "high": "100"}


async def test_breaker_has_no_default(hass: HomeAssistant) -> None:
    """A pre-filled 6 A breaker would mean 4.8 A usable under NEC: no default."""
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await charger_form(hass, entry)
    for key in result["data_schema"].schema:
        if str(key) == CONF_BREAKER:
            assert key.default is probatio.UNDEFINED


async def test_six_amp_breaker_accepted_under_iec(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(region=Region.IEC)
    entry.add_to_hass(hass)
    result = await submit_charger(hass, entry, wall_connector.port, **{CONF_BREAKER: 6})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert next(iter(entry.subentries.values())).data[CONF_BREAKER] == 6


async def test_own_number_refused_as_car_control(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """A charger's own power level is not a car: refused, never written."""
    entry = site_entry(region=Region.NEC)
    entry.add_to_hass(hass)
    power_level = own_entity(hass, "number", "garage_power_level")
    result = await charger_form(hass, entry)
    with pytest.raises(InvalidData):  # not even offered by the picker
        await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                CONF_HOST: "127.0.0.1",
                CONF_PORT: wall_connector.port,
                CONF_BREAKER: 60,
                CONF_CURRENT_ENTITY: power_level,
            },
        )
    # One created after the form was shown is refused by the check itself.
    result = await charger_form(hass, entry)
    later = own_entity(hass, "number", "shed_power_level")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: wall_connector.port,
            CONF_BREAKER: 60,
            CONF_CURRENT_ENTITY: later,
        },
    )
    assert result["errors"] == {CONF_CURRENT_ENTITY: "own_entity"}


@pytest.mark.parametrize("same_site", [True, False])
async def test_one_control_serves_one_charger(
    hass: HomeAssistant, wall_connector: FakeWallConnector, same_site: bool
) -> None:
    existing = site_entry(
        charger_subentry(
            9, title="Shed", unique_id="SHED", **{CONF_CURRENT_ENTITY: CAR}
        )
    )
    existing.add_to_hass(hass)
    entry = existing
    if not same_site:
        entry = site_entry()
        entry.add_to_hass(hass)
    result = await submit_charger(
        hass, entry, wall_connector.port, **{CONF_CURRENT_ENTITY: CAR}
    )
    assert result["errors"] == {CONF_CURRENT_ENTITY: "control_in_use"}
    assert result["description_placeholders"]["charger"] == "Shed"


async def test_reconfigure_keeps_its_own_control(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(
        charger_subentry(
            wall_connector.port,
            **{CONF_CURRENT_ENTITY: CAR, CONF_SWITCH_ENTITY: SWITCH},
        )
    )
    entry.add_to_hass(hass)
    subentry_id = next(iter(entry.subentries))
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: wall_connector.port,
            CONF_BREAKER: 40,
            CONF_CURRENT_ENTITY: CAR,
            CONF_SWITCH_ENTITY: SWITCH,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert entry.subentries[subentry_id].data[CONF_BREAKER] == 40


async def test_car_that_cannot_be_paused_is_said_so(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """A number that stops at 5 A and no switch: warned, then taken if insisted."""
    hass.states.async_set(CAR, "16", {"min": 5, "max": 32, "unit_of_measurement": "A"})
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await submit_charger(
        hass, entry, wall_connector.port, **{CONF_CURRENT_ENTITY: CAR}
    )
    assert result["errors"] == {"base": "cannot_pause"}
    assert wall_connector.requests == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: wall_connector.port,
            CONF_BREAKER: 60,
            CONF_CURRENT_ENTITY: CAR,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_third_charger_under_a_twelve_amp_network_limit(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """Two chargers fit 12 A (6 A each); a third would need 18 A: refused."""
    entry = site_entry(
        charger_subentry(9, title="A", unique_id="A"),
        charger_subentry(9, title="B", unique_id="B"),
        options={CONF_NETWORK_LIMIT: 12},
    )
    entry.add_to_hass(hass)
    result = await submit_charger(hass, entry, wall_connector.port)
    assert result["errors"] == {"base": "network_limit_range"}
    assert result["description_placeholders"] == {
        "limit": "12",
        "low": "18",
        "high": "128",  # 40 + 40 + 48 A
    }
    assert len(entry.subentries) == 2


async def test_site_reconfigure_to_nec_refused_with_small_breakers(
    hass: HomeAssistant,
) -> None:
    """6 A is a fine IEC breaker but gives 4 A under NEC."""
    entry = site_entry(charger_subentry(9, **{CONF_BREAKER: 6}), region=Region.IEC)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"name": "Home", CONF_REGION: "nec", CONF_SUPPLY: "single_phase"},
    )
    assert result["errors"] == {CONF_REGION: "breakers_too_small"}
    assert result["description_placeholders"] == {"low": "8"}


async def open_page(hass: HomeAssistant, entry: Any, page: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": page}
    )


async def test_site_grid_power_refused_as_its_meter(hass: HomeAssistant) -> None:
    """The site's own "Grid power" as its meter was an endless event loop."""
    entry = site_entry()
    entry.add_to_hass(hass)
    grid_power = own_entity(hass, "sensor", "home_grid_power")
    result = await open_page(hass, entry, "power_meter")
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_GRID_POWER_ENTITY: grid_power, CONF_PANEL_LIMIT: 100},
        )
    result = await open_page(hass, entry, "power_meter")
    later = own_entity(hass, "sensor", "cabin_grid_power")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_GRID_POWER_ENTITY: later, CONF_PANEL_LIMIT: 100, CONF_SAFETY_MARGIN: 2},
    )
    assert result["errors"] == {CONF_GRID_POWER_ENTITY: "own_entity"}
    assert entry.options == {}


@pytest.mark.parametrize(
    ("supply", "page", "errors"),
    [
        (
            Supply.SINGLE_PHASE,
            {CONF_GRID_POWER_ENTITY: "sensor.energy"},
            {CONF_GRID_POWER_ENTITY: "wrong_device_class"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_GRID_POWER_ENTITY: "sensor.grid_kwh"},
            {CONF_GRID_POWER_ENTITY: "wrong_unit"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_GRID_POWER_ENTITY: "switch.car_charging"},
            {CONF_GRID_POWER_ENTITY: "wrong_domain"},
        ),
        (
            Supply.THREE_PHASE,
            {CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l1", "sensor.l2"]},
            {CONF_PHASE_CURRENT_ENTITIES: "phases_not_distinct"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l1"]},
            {CONF_PHASE_CURRENT_ENTITIES: "phases_not_distinct"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l2", "sensor.l3"]},
            {CONF_PHASE_CURRENT_ENTITIES: "leg_count"},
        ),
        (
            Supply.THREE_PHASE,
            {CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.grid", "sensor.l3"]},
            {CONF_PHASE_CURRENT_ENTITIES: "wrong_device_class"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_PANEL_LIMIT: 100.5, CONF_GRID_POWER_ENTITY: "sensor.grid"},
            {CONF_PANEL_LIMIT: "not_whole"},
        ),
        (
            Supply.SINGLE_PHASE,
            {CONF_PANEL_LIMIT: float("nan"), CONF_GRID_POWER_ENTITY: "sensor.grid"},
            {CONF_PANEL_LIMIT: "not_finite"},
        ),
    ],
)
async def test_meter_refusals(
    hass: HomeAssistant, supply: Supply, page: dict[str, Any], errors: dict[str, str]
) -> None:
    entry = site_entry(supply=supply)
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PANEL_LIMIT: 100, CONF_SAFETY_MARGIN: 2, **page}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert entry.options == {}


async def test_split_phase_meter_takes_both_legs(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    page = {
        CONF_PHASE_CURRENT_ENTITIES: ["sensor.l1", "sensor.l2"],
        CONF_PANEL_LIMIT: 200,
        CONF_SAFETY_MARGIN: 4,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], page)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == page


async def test_missing_entity_warned_then_taken(hass: HomeAssistant) -> None:
    """Its integration may still be starting: a warning, not a refusal."""
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "power_meter")
    page = {
        CONF_GRID_POWER_ENTITY: "sensor.not_yet",
        CONF_PANEL_LIMIT: 100,
        CONF_SAFETY_MARGIN: 2,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], page)
    assert result["errors"] == {CONF_GRID_POWER_ENTITY: "entity_missing"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], page)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == page


async def test_powerwall_entities_checked(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    numbers = {
        CONF_DISCHARGE_CAPABILITY: 5.0,
        CONF_POWERWALL_UNITS: 1,
        CONF_CHARGING_THRESHOLD: 50,
    }
    page = {
        CONF_BATTERY_LEVEL_ENTITY: "sensor.load",  # a power sensor, not a battery
        CONF_GRID_STATUS_ENTITY: "binary_sensor.grid",
        CONF_HOME_LOAD_ENTITY: "sensor.load",
        **numbers,
    }
    result = await open_page(hass, entry, "powerwall")
    result = await hass.config_entries.options.async_configure(result["flow_id"], page)
    assert result["errors"] == {CONF_BATTERY_LEVEL_ENTITY: "wrong_device_class"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**page, CONF_BATTERY_LEVEL_ENTITY: "sensor.pw", CONF_POWERWALL_UNITS: 1.5},
    )
    assert result["errors"] == {CONF_POWERWALL_UNITS: "not_whole"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**page, CONF_BATTERY_LEVEL_ENTITY: "sensor.pw"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_group_limit_nan_refused(hass: HomeAssistant) -> None:
    entry = site_entry(charger_subentry(9))
    entry.add_to_hass(hass)
    result = await open_page(hass, entry, "group")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_NETWORK_LIMIT: float("nan")}
    )
    assert result["errors"] == {CONF_NETWORK_LIMIT: "not_finite"}
    assert entry.options == {}
