"""A burst of reports costs one evaluation; a decrease still goes out at once."""

from homeassistant.core import HomeAssistant

from .common import FakeWallConnector
from .site import METER, VOLTS, Car, Sources, start

PANEL_A = METER["panel_limit"]
MARGIN_A = METER["safety_margin"]


async def test_a_burst_of_reports_is_one_evaluation(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    manager = entry.runtime_data.manager
    before = manager.evaluations
    for home_a in (20, 21, 22, 23, 24):
        sources.home_w = home_a * VOLTS
        sources.report()  # three phase sensors or one meter, written in a row
    await hass.async_block_till_done()
    assert manager.evaluations - before == 1


async def test_a_decrease_in_a_burst_is_commanded_without_a_timer(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    sources.home_w = 20 * VOLTS
    entry = await start(hass, wall_connector, METER, sources)
    assert car.commanded > 30
    before = entry.runtime_data.manager.evaluations
    sources.report()
    sources.home_w = 90 * VOLTS
    sources.report()
    # No time passes: the command goes out in the same turn of the loop.
    await hass.async_block_till_done()
    assert entry.runtime_data.manager.evaluations - before == 1
    assert car.commanded + 90 <= PANEL_A - MARGIN_A
