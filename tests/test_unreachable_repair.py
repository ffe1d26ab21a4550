"""The unreachable repair appears 5 minutes after a unit stops answering."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.tesla_power_mgmt.const import DOMAIN

from .common import FakeWallConnector
from .site import Car, start


async def test_repair_five_minutes_after_the_unit_went_silent(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await start(hass, wall_connector, {})
    (subentry_id,) = entry.subentries
    issue = (DOMAIN, f"{entry.entry_id}_unreachable_{subentry_id}")
    wall_connector.online = False
    elapsed = 0.0
    while issue not in ir.async_get(hass).issues:
        freezer.tick(timedelta(seconds=1))
        elapsed += 1
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert elapsed < 900
    # 5 minutes from the first failed poll, seen at a later poll (every 5 s).
    assert 300 <= elapsed <= 300 + 2 * 5
