"""Shared fixtures: a fake Wall Connector on 127.0.0.1 and a configured site."""

from collections.abc import AsyncIterator
import os

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    setup_test_component_platform,
)

from .common import FakeWallConnector, charger_subentry, serving, site_entry
from .site import Car, Sources

# CI draws the same examples on every run, so whether a change lands never
# depends on a lucky draw; a local run draws new ones each time (and keeps
# what fails in .hypothesis/ to replay it).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load this repository's integration in every test."""


@pytest.fixture
async def wall_connector(socket_enabled: None) -> AsyncIterator[FakeWallConnector]:
    """Run one fake Wall Connector on 127.0.0.1 for the test."""
    fake = FakeWallConnector()
    async with serving(fake):
        yield fake


@pytest.fixture
def site(wall_connector: FakeWallConnector) -> MockConfigEntry:
    """A single-phase site with one charger at the fake unit."""
    return site_entry(charger_subentry(wall_connector.port))


@pytest.fixture
async def car(hass: HomeAssistant, wall_connector: FakeWallConnector) -> Car:
    car = Car(wall_connector)
    setup_test_component_platform(hass, "number", [car.current])
    setup_test_component_platform(hass, "switch", [car.switch])
    assert await async_setup_component(hass, "number", {"number": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    await hass.async_block_till_done()
    return car


@pytest.fixture
def sources(hass: HomeAssistant, car: Car) -> Sources:
    return Sources(hass, car)
