"""Groups left wrong by a deletion or a hand edit raise a repair, and clear."""

from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
import pytest

from custom_components.tesla_power_mgmt.config_check import group_problems
from custom_components.tesla_power_mgmt.const import (
    CONF_GROUP,
    CONF_NETWORK_LIMIT,
    CONF_PARENT,
    SUBENTRY_TYPE_GROUP,
)

from .common import FakeWallConnector, charger_subentry, site_entry
from .test_setup_checks import repairs, setup


def _group(group_id: str, limit: Any, parent: str | None = None) -> ConfigSubentryData:
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


def test_good_groups_raise_nothing() -> None:
    entry = site_entry(
        _group("outer", 60),
        _group("inner", 40, "outer"),
        charger_subentry(80, **{CONF_GROUP: "inner"}),
    )
    assert group_problems(entry) == {}


@pytest.mark.parametrize("limit", [0, 3, float("nan"), "40", None, True, 12.5])
def test_a_limit_that_cannot_be_used(limit: Any) -> None:
    entry = site_entry(_group("shed", limit))
    assert group_problems(entry) == {
        "group_limit_shed": (
            "group_limit_invalid",
            {"site": "Home", "group": "Shed", "limit": repr(limit)},
        )
    }


def test_a_deleted_parent_a_deleted_group_and_a_loop() -> None:
    entry = site_entry(
        _group("orphan", 40, "gone"),
        _group("a", 40, "b"),
        _group("b", 40, "a"),
        charger_subentry(80, title="Garage", **{CONF_GROUP: "deleted"}),
    )
    found = {key: value[0] for key, value in group_problems(entry).items()}
    charger_id = next(s for s, sub in entry.subentries.items() if sub.title == "Garage")
    assert found == {
        "group_parent_orphan": "group_parent_missing",
        "group_loop_a": "group_loop",
        "group_loop_b": "group_loop",
        f"charger_group_{charger_id}": "charger_group_missing",
    }


async def test_deleting_groups_raises_repairs_until_fixed(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    entry = site_entry(
        _group("outer", 60),
        _group("inner", 40, "outer"),
        charger_subentry(wall_connector.port, **{CONF_GROUP: "inner"}),
    )
    await setup(hass, entry)
    garage = next(s for s, sub in entry.subentries.items() if sub.title == "Garage")
    assert repairs(hass, entry) == {}
    assert hass.config_entries.async_remove_subentry(entry, "outer")
    await hass.async_block_till_done()
    assert repairs(hass, entry) == {"setup_group_parent_inner": "group_parent_missing"}
    assert hass.config_entries.async_remove_subentry(entry, "inner")
    await hass.async_block_till_done()
    assert repairs(hass, entry) == {
        f"setup_charger_group_{garage}": "charger_group_missing"
    }
    # The charger moved out of the deleted group: nothing left to repair.
    subentry = entry.subentries[garage]
    data = {k: v for k, v in subentry.data.items() if k != CONF_GROUP}
    hass.config_entries.async_update_subentry(entry, subentry, data=data)
    await hass.async_block_till_done()
    assert repairs(hass, entry) == {}
