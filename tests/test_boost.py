"""A boost shows when it ends, can be ended, and survives a restart."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.tesla_power_mgmt.const import (
    DOMAIN,
    SERVICE_BOOST,
    SERVICE_END_BOOST,
)

from .common import FakeWallConnector
from .site import METER, Car, Sources, poll, start
from .test_control import charger_device
from .test_lifecycle import restart

BOOST_ENDS = "sensor.garage_boost_ends"


async def boost(hass: HomeAssistant, minutes: int) -> None:
    await hass.services.async_call(
        DOMAIN,
        SERVICE_BOOST,
        {"device_id": charger_device(hass), "duration": minutes},
        blocking=True,
    )
    await hass.async_block_till_done()


async def test_boost_ends_shows_the_end_and_end_boost_clears_it(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    assert hass.states.get(BOOST_ENDS).state == STATE_UNKNOWN
    await boost(hass, 30)
    garage = next(iter(entry.subentries))
    settings = entry.runtime_data.manager.settings.chargers[garage]
    assert settings.boost_until is not None
    shown = dt_util.parse_datetime(hass.states.get(BOOST_ENDS).state)
    # The state shows whole seconds.
    ends = dt_util.utc_from_timestamp(settings.boost_until)
    assert shown == ends.replace(microsecond=0)
    assert shown - dt_util.utcnow() <= timedelta(minutes=30)
    await hass.services.async_call(
        DOMAIN, SERVICE_END_BOOST, {"device_id": charger_device(hass)}, blocking=True
    )
    await hass.async_block_till_done()
    assert settings.boost_until is None
    assert hass.states.get(BOOST_ENDS).state == STATE_UNKNOWN


async def test_a_boost_that_ran_out_reads_unknown(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, METER, sources)
    await boost(hass, 1)
    assert hass.states.get(BOOST_ENDS).state != STATE_UNKNOWN
    await poll(hass, freezer, 90, sources)
    assert hass.states.get(BOOST_ENDS).state == STATE_UNKNOWN


async def test_the_boost_end_survives_a_restart(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    await boost(hass, 45)
    shown = hass.states.get(BOOST_ENDS).state
    await restart(hass, entry)
    assert hass.states.get(BOOST_ENDS).state == shown


async def test_the_end_boost_button_ends_the_boost(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    await boost(hass, 30)
    assert hass.states.get(BOOST_ENDS).state != STATE_UNKNOWN
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.garage_end_boost"}, blocking=True
    )
    await hass.async_block_till_done()
    garage = next(iter(entry.subentries))
    assert entry.runtime_data.manager.settings.chargers[garage].boost_until is None
    assert hass.states.get(BOOST_ENDS).state == STATE_UNKNOWN
