"""DHCP discovery: a new unit is offered to a site, a known one is followed."""

from collections.abc import Iterator
from fnmatch import fnmatch
from typing import Any
from unittest.mock import patch

from aiohttp import ClientSession
from homeassistant.config_entries import SOURCE_DHCP
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.loader import async_get_dhcp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_CURRENT_ENTITY,
    CONF_PHASES,
    CONF_WIRED_PHASE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    Supply,
    WiredPhase,
)
from custom_components.tesla_power_mgmt.wall_connector import WallConnectorClient

from .common import SERIAL, FakeWallConnector, charger_subentry, site_entry

# As the unit leases it: Tesla's MAC prefix, lowercase without colons.
FOUND = DhcpServiceInfo(
    ip="127.0.0.1", hostname="teslawallconnector_b2758a", macaddress="98ed5cb2758a"
)


@pytest.fixture(autouse=True)
def no_setup() -> Iterator[None]:
    """Flows only: sites are not set up (a reload is counted, not run)."""
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


@pytest.fixture(autouse=True)
def unit_at_fake_port(wall_connector: FakeWallConnector) -> Iterator[None]:
    """Discovery reads port 80; the fake unit answers on a random port."""

    def client(host: str, session: ClientSession) -> WallConnectorClient:
        return WallConnectorClient(host, session, wall_connector.port)

    with patch(
        "custom_components.tesla_power_mgmt.config_flow.WallConnectorClient", client
    ):
        yield


async def _discover(hass: HomeAssistant) -> Any:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=FOUND
    )


def _added(hass: HomeAssistant, site: MockConfigEntry) -> dict[str, Any]:
    entry = hass.config_entries.async_get_entry(site.entry_id)
    assert entry is not None
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_TYPE_CHARGER
    assert subentry.unique_id == SERIAL
    return {"title": subentry.title, **subentry.data}


async def test_new_unit_added_to_the_only_site(hass: HomeAssistant) -> None:
    site = site_entry()
    site.add_to_hass(hass)
    hass.states.async_set(
        "number.car_charge_current", "16", {"min": 0, "unit_of_measurement": "A"}
    )
    result = await _discover(hass)
    # One site: no question which; the form asks what DHCP cannot tell.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_charger"
    assert result["description_placeholders"]["host"] == "127.0.0.1"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_BREAKER: 60, CONF_CURRENT_ENTITY: "number.car_charge_current"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "charger_added"
    assert _added(hass, site) == {
        "title": "Wall Connector 5380",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: 80,
        CONF_BREAKER: 60,
        CONF_PHASES: 1,
        CONF_CURRENT_ENTITY: "number.car_charge_current",
    }


async def test_new_unit_offered_to_the_chosen_site(hass: HomeAssistant) -> None:
    home = site_entry()
    home.add_to_hass(hass)
    barn = site_entry(supply=Supply.THREE_PHASE)
    barn.add_to_hass(hass)
    result = await _discover(hass)
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"site": barn.entry_id}
    )
    # The three-phase site asks how the unit is wired.
    assert result["step_id"] == "discovery_charger"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: " Barn ",
            CONF_BREAKER: 32,
            CONF_PHASES: "1",
            CONF_WIRED_PHASE: "l2",
        },
    )
    assert result["reason"] == "charger_added"
    assert _added(hass, barn) == {
        "title": "Barn",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: 80,
        CONF_BREAKER: 32,
        CONF_PHASES: 1,
        CONF_WIRED_PHASE: WiredPhase.L2,
    }
    assert not home.subentries


async def test_same_unit_found_twice_is_offered_once(hass: HomeAssistant) -> None:
    site_entry().add_to_hass(hass)
    first = await _discover(hass)
    second = await _discover(hass)
    assert first["type"] is FlowResultType.FORM
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"


async def test_known_unit_at_a_new_address_is_followed(hass: HomeAssistant) -> None:
    site = site_entry(charger_subentry(80, **{CONF_HOST: "10.0.0.5"}))
    site.add_to_hass(hass)
    (subentry_id,) = site.subentries
    result = await _discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    subentry = site.subentries[subentry_id]
    assert subentry.data[CONF_HOST] == "127.0.0.1"
    assert subentry.data[CONF_BREAKER] == 50, "only the address changes"


@pytest.mark.parametrize(
    ("host", "port"),
    [("127.0.0.1", 80), ("10.0.0.5", 8080)],
    ids=["same-address", "behind-a-proxy"],
)
async def test_known_unit_left_alone(hass: HomeAssistant, host: str, port: int) -> None:
    site = site_entry(charger_subentry(port, **{CONF_HOST: host}))
    site.add_to_hass(hass)
    (subentry_id,) = site.subentries
    before = dict(site.subentries[subentry_id].data)
    result = await _discover(hass)
    assert result["reason"] == "already_configured"
    assert dict(site.subentries[subentry_id].data) == before


async def test_no_site_yet(hass: HomeAssistant) -> None:
    result = await _discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_site"


@pytest.mark.parametrize(
    ("online", "status", "reason"),
    [(False, 200, "cannot_connect"), (True, 404, "not_wall_connector")],
)
async def test_found_device_that_does_not_answer_as_a_unit(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    online: bool,
    status: int,
    reason: str,
) -> None:
    site_entry().add_to_hass(hass)
    wall_connector.online = online
    wall_connector.status = status
    result = await _discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_unit_added_meanwhile_is_not_added_twice(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    site = site_entry()
    site.add_to_hass(hass)
    result = await _discover(hass)
    other = site_entry(charger_subentry(wall_connector.port))
    other.add_to_hass(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BREAKER: 40}
    )
    assert result["reason"] == "already_configured"
    assert not site.subentries


async def test_manifest_matches_units_as_core_does(hass: HomeAssistant) -> None:
    """Home Assistant's DHCP watcher starts our flow for a Wall Connector's lease."""
    matchers = [m for m in await async_get_dhcp(hass) if m["domain"] == DOMAIN]
    assert {m["macaddress"] for m in matchers} == {"DC44271*", "98ED5C*", "4CFCAA*"}
    assert any(
        fnmatch(FOUND.hostname, m["hostname"])
        and fnmatch(FOUND.macaddress.upper(), m["macaddress"])
        for m in matchers
    )


async def test_found_unit_refuses_what_the_form_refuses(hass: HomeAssistant) -> None:
    """The discovery form checks as the charger form does (one validator)."""
    site = site_entry()
    site.add_to_hass(hass)
    result = await _discover(hass)
    for breaker, error in (
        (float("nan"), "not_finite"),
        (40.5, "not_whole"),
        (7, "breaker_too_small"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_BREAKER: breaker}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_BREAKER: error}
    assert not site.subentries
