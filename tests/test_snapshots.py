"""Every platform's entities, the devices and the diagnostics, as snapshots.

A changed state, name, unit or device shows as a diff; refresh them on
purpose with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from collections.abc import Iterator
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .common import FakeWallConnector
from .full_sites import every_entity_enabled, split_phase_site, three_phase_site
from .site import Car, Sources

pytestmark = pytest.mark.freeze_time("2026-12-01 18:00:00+00:00")


@pytest.fixture(autouse=True)
def all_enabled() -> Iterator[None]:
    yield from every_entity_enabled()


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialise registry entries and states without their random ids."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_split_phase_site_entities(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    with patch("custom_components.tesla_power_mgmt.PLATFORMS", [platform]):
        entry = await split_phase_site(hass, wall_connector, sources)
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_three_phase_site_entities(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    with patch("custom_components.tesla_power_mgmt.PLATFORMS", [platform]):
        entry = await three_phase_site(hass, wall_connector)
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)


async def test_devices(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    snapshot: SnapshotAssertion,
) -> None:
    entry = await split_phase_site(hass, wall_connector, sources)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    by_name = sorted(devices, key=lambda device: device.name or "")
    assert by_name == snapshot


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    snapshot: SnapshotAssertion,
) -> None:
    entry = await split_phase_site(hass, wall_connector, sources)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    # The fake unit's port is chosen at random for each run.
    assert diagnostics == snapshot(exclude=props("port"))
