"""Power available to vehicles exists only in an outage: unavailable on the grid."""

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest

from .common import FakeWallConnector
from .site import POWERWALL, Car, Sources, start

AVAILABLE = "sensor.home_powerwall_power_available_to_vehicles"


async def test_unavailable_on_grid_a_figure_in_an_outage(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    sources.home_w = 1000
    await start(hass, wall_connector, POWERWALL, sources)
    assert hass.states.get(AVAILABLE).state == STATE_UNAVAILABLE

    sources.grid_up = False
    await sources.changed()
    # 5 kW discharge capability less the 10 % outage margin - 1 kW home.
    assert float(hass.states.get(AVAILABLE).state) == pytest.approx(3500, abs=1)

    sources.grid_up = True
    await sources.changed()
    assert hass.states.get(AVAILABLE).state == STATE_UNAVAILABLE


async def test_unknown_before_the_grid_status_is_known(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car
) -> None:
    """Like the Grid outage sensor: no status reported yet reads unknown."""
    await start(hass, wall_connector, POWERWALL)
    assert hass.states.get(AVAILABLE).state == STATE_UNKNOWN
