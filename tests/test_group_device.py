"""A device per power-sharing group, its sensors as snapshots."""

from collections.abc import Iterator
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
)
from syrupy.assertion import SnapshotAssertion

from .common import FakeWallConnector
from .full_sites import every_entity_enabled, grouped_site
from .site import Car

pytestmark = pytest.mark.freeze_time("2026-12-01 18:00:00+00:00")


@pytest.fixture(autouse=True)
def all_enabled() -> Iterator[None]:
    yield from every_entity_enabled()


async def test_group_devices_sensors(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    snapshot: SnapshotAssertion,
) -> None:
    with patch("custom_components.tesla_power_mgmt.PLATFORMS", [Platform.SENSOR]):
        entry = await grouped_site(hass, wall_connector)
    await snapshot_platform(
        hass,
        er.async_get(hass),
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        entry.entry_id,
    )
