"""The group subentry flow: create, nest, reconfigure; bad limits and cycles refused."""

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigSubentryData,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest

from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_GROUP,
    CONF_NETWORK_LIMIT,
    CONF_PARENT,
    SUBENTRY_TYPE_CHARGER,
    SUBENTRY_TYPE_GROUP,
)

from .common import FakeWallConnector, charger_subentry, site_entry


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Flows only: the entry itself is not set up."""
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


def _group(group_id: str, limit: int, parent: str | None = None) -> ConfigSubentryData:
    data: dict[str, Any] = {CONF_NETWORK_LIMIT: limit}
    if parent:
        data[CONF_PARENT] = parent
    return ConfigSubentryData(
        data=data,
        subentry_id=group_id,
        subentry_type=SUBENTRY_TYPE_GROUP,
        title=group_id.title(),
        unique_id=None,
    )


async def _submit(
    hass: HomeAssistant, entry: Any, given: dict[str, Any], **context: Any
) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_GROUP),
        context={"source": SOURCE_USER, **context},
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], given
    )


async def test_group_created_inside_another(hass: HomeAssistant) -> None:
    entry = site_entry(_group("outer", 60))
    entry.add_to_hass(hass)
    result = await _submit(
        hass,
        entry,
        {CONF_NAME: " Sub-panel ", CONF_NETWORK_LIMIT: 40, CONF_PARENT: "outer"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    created = [s for s in entry.subentries.values() if s.title == "Sub-panel"]
    assert created[0].data == {CONF_NETWORK_LIMIT: 40, CONF_PARENT: "outer"}


async def test_group_limit_above_its_parent_refused(hass: HomeAssistant) -> None:
    entry = site_entry(_group("outer", 60))
    entry.add_to_hass(hass)
    result = await _submit(
        hass, entry, {CONF_NAME: "Sub", CONF_NETWORK_LIMIT: 80, CONF_PARENT: "outer"}
    )
    assert result["errors"] == {CONF_NETWORK_LIMIT: "group_above_parent"}


async def test_group_limit_out_of_range_for_its_chargers_refused(
    hass: HomeAssistant,
) -> None:
    """Two 40 A chargers behind the inner group count for the outer one too."""
    chargers = [
        charger_subentry(80, title=f"C{i}", unique_id=f"S{i}", **{CONF_GROUP: "inner"})
        for i in range(2)
    ]
    entry = site_entry(_group("outer", 60), _group("inner", 40, "outer"), *chargers)
    entry.add_to_hass(hass)
    result = await entry.start_subentry_reconfigure_flow(hass, "outer")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Outer", CONF_NETWORK_LIMIT: 100}
    )
    assert result["errors"] == {CONF_NETWORK_LIMIT: "group_limit_range"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Outer", CONF_NETWORK_LIMIT: 50}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries["outer"].data == {CONF_NETWORK_LIMIT: 50}


async def test_group_cannot_sit_inside_its_own_child(hass: HomeAssistant) -> None:
    entry = site_entry(_group("outer", 60), _group("inner", 40, "outer"))
    entry.add_to_hass(hass)
    result = await entry.start_subentry_reconfigure_flow(hass, "outer")
    schema = result["data_schema"].schema
    assert CONF_PARENT not in schema  # "inner" is the only other group: not offered
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {CONF_NAME: "Outer", CONF_NETWORK_LIMIT: 60, CONF_PARENT: "inner"},
        )
    assert entry.subentries["outer"].data == {CONF_NETWORK_LIMIT: 60}


async def test_charger_put_in_a_group_or_refused_when_it_does_not_fit(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """A 48 A charger does not fit a 5 A group; a 40 A one inside a 45 A one it does."""
    entry = site_entry(
        _group("tight", 45), _group("small", 5), _group("sub", 40, "tight")
    )
    entry.add_to_hass(hass)
    given = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: wall_connector.port,
        CONF_BREAKER: 60,
        CONF_GROUP: "small",
    }
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CHARGER), context={"source": SOURCE_USER}
    )
    assert CONF_GROUP in result["data_schema"].schema
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], given
    )
    assert result["errors"] == {CONF_GROUP: "group_limit_range"}
    assert result["description_placeholders"]["low"] == "6"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**given, CONF_GROUP: "sub"}
    )
    assert result.get("errors") is None, result.get("errors")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    charger = next(
        s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_TYPE_CHARGER
    )
    assert charger.data[CONF_GROUP] == "sub"
