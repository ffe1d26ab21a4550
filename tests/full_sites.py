"""Sites with every option set, so that every entity a user can meet exists.

Ids are fixed (entry, subentry) so snapshots do not change between runs.
"""

from collections.abc import Iterator
from types import MappingProxyType
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryData
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import (
    CONF_GROUP,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_PARENT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PHASES,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    SUBENTRY_TYPE_GROUP,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

from .common import SERIAL, VITALS_CHARGING_EU, FakeWallConnector, real_payload
from .site import CONTROL, METER, POWERWALL, Sources

ENTRY_ID = "01KSITEHOME0000000000000000"
SUBENTRY_ID = "01KCHARGERGARAGE00000000000"
GROUP_ID = "01KGROUPGARAGE0000000000000"
SUB_PANEL_ID = "01KGROUPSUBPANEL00000000000"
PHASE_SENSORS = ["sensor.meter_l1", "sensor.meter_l2", "sensor.meter_l3"]


def _entry(
    unit: FakeWallConnector,
    supply: Supply,
    region: Region,
    options: dict[str, Any],
    **charger: Any,
) -> MockConfigEntry:
    voltage = 240 if region is Region.NEC else 230
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY_ID,
        title="Home",
        data={CONF_REGION: region, CONF_SUPPLY: supply, CONF_VOLTAGE: voltage},
        options=options,
        subentries_data=[
            ConfigSubentryData(
                data={
                    CONF_HOST: "127.0.0.1",
                    CONF_PORT: unit.port,
                    CONF_PHASES: 1,
                    **CONTROL,
                    **charger,
                },
                subentry_id=SUBENTRY_ID,
                subentry_type=SUBENTRY_TYPE_CHARGER,
                title="Garage",
                unique_id=SERIAL,
            )
        ],
    )


async def split_phase_site(
    hass: HomeAssistant, unit: FakeWallConnector, sources: Sources
) -> MockConfigEntry:
    """Set up a US home: meter by grid power, Powerwall, group limit."""
    sources.report()
    options = {**METER, **POWERWALL, CONF_NETWORK_LIMIT: 40}
    entry = _entry(unit, Supply.SINGLE_PHASE, Region.NEC, options)
    return await _setup(hass, entry)


async def three_phase_site(
    hass: HomeAssistant, unit: FakeWallConnector
) -> MockConfigEntry:
    """Set up a European home: a three-phase unit, a current sensor per phase."""
    unit.bodies["vitals"] = real_payload(VITALS_CHARGING_EU)
    for sensor in PHASE_SENSORS:
        hass.states.async_set(sensor, "12.5", {"unit_of_measurement": "A"})
    options = {
        CONF_PHASE_CURRENT_ENTITIES: PHASE_SENSORS,
        CONF_PANEL_LIMIT: 25,
        CONF_SAFETY_MARGIN: 2,
        CONF_NETWORK_LIMIT: 16,
    }
    entry = _entry(unit, Supply.THREE_PHASE, Region.IEC, options, **{CONF_PHASES: 3})
    return await _setup(hass, entry)


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def every_entity_enabled() -> Iterator[None]:
    """Enable the entities that are disabled by default (for snapshots)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


async def grouped_site(hass: HomeAssistant, unit: FakeWallConnector) -> MockConfigEntry:
    """The three-phase home with its unit behind a sub-panel inside a group."""
    unit.bodies["vitals"] = real_payload(VITALS_CHARGING_EU)
    groups = [
        ConfigSubentryData(
            data=data,
            subentry_id=group_id,
            subentry_type=SUBENTRY_TYPE_GROUP,
            title=title,
            unique_id=None,
        )
        for group_id, title, data in (
            (GROUP_ID, "Garage group", {CONF_NETWORK_LIMIT: 30}),
            (
                SUB_PANEL_ID,
                "Sub-panel",
                {CONF_NETWORK_LIMIT: 20, CONF_PARENT: GROUP_ID},
            ),
        )
    ]
    entry = _entry(
        unit,
        Supply.THREE_PHASE,
        Region.IEC,
        {},
        **{CONF_PHASES: 3, CONF_GROUP: SUB_PANEL_ID},
    )
    entry.subentries = MappingProxyType(  # type: ignore[misc]
        {
            **entry.subentries,
            **{
                g["subentry_id"]: ConfigSubentry(
                    data=MappingProxyType(dict(g["data"])),
                    subentry_id=g["subentry_id"],
                    subentry_type=g["subentry_type"],
                    title=g["title"],
                    unique_id=None,
                )
                for g in groups
            },
        }
    )
    return await _setup(hass, entry)
