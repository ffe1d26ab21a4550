"""Home load, headroom and available current stay within what is there."""

from dataclasses import replace

from homeassistant.core import HomeAssistant
import pytest

from custom_components.tesla_power_mgmt.figures import (
    ClampLog,
    available_a,
    headroom_a,
    home_load_a,
)

from .common import FakeWallConnector
from .site import METER, POWERWALL, VOLTS, Car, Sources, start

HOME_LOAD = "sensor.home_power_meter_home_load"
HEADROOM = "sensor.home_power_meter_headroom"
AVAILABLE = "sensor.home_available_current"


def amps(hass: HomeAssistant, entity_id: str) -> float:
    return float(hass.states.get(entity_id).state)


async def test_a_meter_below_the_cars_draw_shows_no_negative_home_load(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
) -> None:
    await start(hass, wall_connector, METER, sources)
    assert car.vehicle.charging
    # Exporting solar, or a meter that lags the car's draw.
    for meter in ("0", "-20000"):
        sources.meter_value = meter
        await sources.changed()
        assert amps(hass, HOME_LOAD) == 0
        assert 0 <= amps(hass, HEADROOM) <= METER["panel_limit"]
        assert 0 <= amps(hass, AVAILABLE) <= METER["panel_limit"]


async def test_headroom_in_an_outage_is_at_most_what_the_powerwall_gives(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    sources.home_w = 1000
    await start(hass, wall_connector, {**METER, **POWERWALL}, sources)
    sources.grid_up = False
    await sources.changed()
    await sources.changed()
    # 5 kW discharge capability less the home: at most about 17 A at 240 V.
    cap_a = 5000 / VOLTS
    assert 0 <= amps(hass, HEADROOM) <= cap_a
    assert 0 <= amps(hass, AVAILABLE) <= cap_a
    assert amps(hass, HOME_LOAD) >= 0


async def test_issue_11_figures_are_clamped_and_logged_once_per_episode(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await start(hass, wall_connector, {**METER, **POWERWALL}, sources)
    data = entry.runtime_data.manager.data
    # As reported in issue 11: -78 A home load, 96 A headroom in an outage.
    wrong = replace(
        data.decision,
        home_load_a=(-78.0,),
        panel_headroom_a=(96.0,),
        available_current_a=(120.0,),
        outage_power_w=2400.0,
    )
    assert home_load_a(wrong, data.config) == (0.0,)
    assert headroom_a(wrong, data.config) == (10.0,)
    assert available_a(wrong, data.config) == (10.0,)
    log = ClampLog()
    caplog.clear()
    log.check(wrong, data.config)
    log.check(wrong, data.config)
    assert caplog.text.count("home_load_a is") == 1
    assert caplog.text.count("panel_headroom_a is") == 1
    # Back within bounds, then wrong again: a new episode, logged again.
    log.check(data.decision, data.config)
    log.check(wrong, data.config)
    assert caplog.text.count("home_load_a is") == 2
    # On the grid the panel limit bounds the headroom.
    on_grid = replace(wrong, outage_power_w=None, panel_headroom_a=(130.0,))
    assert headroom_a(on_grid, data.config) == (METER["panel_limit"],)
