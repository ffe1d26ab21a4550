"""Site flow, charger subentry flow, reconfigure and options: every path."""

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_CURRENT_ENTITY,
    CONF_PHASES,
    CONF_REGION,
    CONF_SUPPLY,
    CONF_SWITCH_ENTITY,
    CONF_VOLTAGE,
    CONF_WIRED_PHASE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

from .common import SERIAL, FakeWallConnector, charger_subentry, site_entry

SITE_INPUT = {CONF_NAME: " Home ", CONF_REGION: "nec", CONF_SUPPLY: "single_phase"}


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Flows only: the entry itself is not set up."""
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


async def test_site_created_with_region_default_voltage(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SITE_INPUT, CONF_REGION: "iec"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Home"
    assert result["data"] == {
        CONF_REGION: Region.IEC,
        CONF_SUPPLY: Supply.SINGLE_PHASE,
        CONF_VOLTAGE: 230,
    }


async def test_site_rejects_blank_name(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SITE_INPUT, CONF_NAME: "   "}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_required"}


@pytest.mark.parametrize("voltage", [50, 900, "lots"])
async def test_site_rejects_voltage_out_of_range(
    hass: HomeAssistant, voltage: Any
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {**SITE_INPUT, CONF_VOLTAGE: voltage}
        )


async def test_site_reconfigure(hass: HomeAssistant) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Cabin", CONF_REGION: "iec", CONF_SUPPLY: "three_phase"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.title == "Cabin"
    assert entry.data[CONF_SUPPLY] == Supply.THREE_PHASE
    assert entry.data[CONF_VOLTAGE] == 230


async def test_site_reconfigure_keeps_three_phase_chargers(
    hass: HomeAssistant,
) -> None:
    entry = site_entry(
        charger_subentry(80, **{CONF_PHASES: 3}), supply=Supply.THREE_PHASE
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SITE_INPUT
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SUPPLY: "three_phase_chargers"}


async def _start_charger_flow(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CHARGER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return result


def charger_input(unit_port: int, **changes: Any) -> dict[str, Any]:
    return {CONF_HOST: "127.0.0.1", CONF_PORT: unit_port, CONF_BREAKER: 60, **changes}


async def test_charger_added(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    user_input = charger_input(
        wall_connector.port,
        **{
            CONF_CURRENT_ENTITY: "number.model_y_charge_current",
            CONF_SWITCH_ENTITY: "switch.model_y_charge",
        },
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )
    # Entities not there yet (their integration may still start): a warning,
    # and the same input submitted again is taken.
    assert result["errors"] == {
        CONF_CURRENT_ENTITY: "entity_missing",
        CONF_SWITCH_ENTITY: "entity_missing",
    }
    assert wall_connector.requests == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Wall Connector {SERIAL[-4:]}"
    subentry = next(iter(entry.subentries.values()))
    assert subentry.unique_id == SERIAL
    assert dict(subentry.data) == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: wall_connector.port,
        CONF_BREAKER: 60,
        CONF_PHASES: 1,
        CONF_CURRENT_ENTITY: "number.model_y_charge_current",
        CONF_SWITCH_ENTITY: "switch.model_y_charge",
    }


async def test_single_phase_charger_on_three_phase_site(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(supply=Supply.THREE_PHASE, region=Region.IEC)
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        charger_input(
            wall_connector.port,
            **{CONF_NAME: "Drive", CONF_PHASES: "1", CONF_WIRED_PHASE: "l2"},
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Drive"
    subentry = next(iter(entry.subentries.values()))
    assert subentry.data[CONF_PHASES] == 1
    assert subentry.data[CONF_WIRED_PHASE] == "l2"


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1",
        "127.0.0.1:80",
        "127.0.0.1/api/1/vitals",
        "wc garage",
        "",
    ],
)
async def test_charger_rejects_host_with_more_than_a_host(
    hass: HomeAssistant, wall_connector: FakeWallConnector, host: str
) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port, **{CONF_HOST: host})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert wall_connector.requests == []


@pytest.mark.parametrize(
    "changes",
    [
        {CONF_PORT: 0},
        {CONF_PORT: 70000},
        {CONF_BREAKER: 2},
        {CONF_BREAKER: 400},
        {CONF_BREAKER: "forty"},
        {CONF_PHASES: "2"},
    ],
)
async def test_charger_rejects_out_of_range(
    hass: HomeAssistant, wall_connector: FakeWallConnector, changes: dict[str, Any]
) -> None:
    entry = site_entry(supply=Supply.THREE_PHASE)
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], charger_input(wall_connector.port, **changes)
        )
    assert wall_connector.requests == []


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ({"online": False}, "cannot_connect"),
        ({"status": 500}, "cannot_connect"),
        ({"status": 404}, "not_wall_connector"),
        ({"version": "<html></html>"}, "not_wall_connector"),
        ({"version": '{"part_number": "x"}'}, "not_wall_connector"),
    ],
)
async def test_charger_connection_errors(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    setup: dict[str, Any],
    error: str,
) -> None:
    if "version" in setup:
        wall_connector.bodies["version"] = setup.pop("version")
    for key, value in setup.items():
        setattr(wall_connector, key, value)
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    # Once the unit answers properly, the same form succeeds.
    wall_connector.online, wall_connector.status = True, 200
    wall_connector.bodies["version"] = FakeWallConnector().bodies["version"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_charger_unexpected_error(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry()
    entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    with patch(
        "custom_components.tesla_power_mgmt.config_flow.WallConnectorClient.identity",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], charger_input(wall_connector.port)
        )
    assert result["errors"] == {"base": "unknown"}


@pytest.mark.parametrize("same_site", [True, False])
async def test_charger_already_configured(
    hass: HomeAssistant, wall_connector: FakeWallConnector, same_site: bool
) -> None:
    existing = site_entry(charger_subentry(wall_connector.port))
    existing.add_to_hass(hass)
    entry = existing
    if not same_site:
        entry = site_entry()
        entry.add_to_hass(hass)
    result = await _start_charger_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_charger_reconfigure(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(charger_subentry(wall_connector.port))
    entry.add_to_hass(hass)
    subentry_id = next(iter(entry.subentries))
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        charger_input(wall_connector.port, **{CONF_NAME: "Driveway", CONF_BREAKER: 40}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Driveway"
    assert subentry.data[CONF_BREAKER] == 40


async def test_charger_reconfigure_to_another_unit(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(charger_subentry(wall_connector.port, unique_id="OTHER"))
    entry.add_to_hass(hass)
    subentry_id = next(iter(entry.subentries))
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "different_device"}


async def test_charger_reconfigure_cannot_connect(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(charger_subentry(wall_connector.port))
    entry.add_to_hass(hass)
    wall_connector.online = False
    result = await entry.start_subentry_reconfigure_flow(
        hass, next(iter(entry.subentries))
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], charger_input(wall_connector.port)
    )
    assert result["errors"] == {"base": "cannot_connect"}
