"""The Overload problem is on only once an excess outlasts the vehicles' reaction."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from hypothesis import given, strategies as st

from custom_components.tesla_power_mgmt.overload import (
    MARGIN_S,
    VEHICLE_LATENCY_S,
    OverloadWatch,
)

from .common import FakeWallConnector
from .site import METER, VOLTS, Car, Sources, poll, start

OVERLOAD = "binary_sensor.home_overload"


def test_grace_is_the_slower_report_plus_latency_plus_margin() -> None:
    watch = OverloadWatch(poll_s=5, meter_stale_s=30)
    assert watch.grace_s == 5 + VEHICLE_LATENCY_S + MARGIN_S
    watch.update(0, False, meter_at=0)
    watch.update(10, False, meter_at=10)  # a meter reporting every 10 s
    assert watch.grace_s == 10 + VEHICLE_LATENCY_S + MARGIN_S
    watch.update(500, False, meter_at=500)  # silent that long is stale, not slow
    assert watch.grace_s == 30 + VEHICLE_LATENCY_S + MARGIN_S


@given(
    episodes=st.lists(
        st.tuples(st.floats(0.5, 120), st.floats(0.5, 60)), min_size=1, max_size=20
    ),
    step_s=st.floats(0.5, 10),
)
def test_on_exactly_when_an_excess_outlasts_the_grace(
    episodes: list[tuple[float, float]], step_s: float
) -> None:
    """Excess episodes of any length, seen at any cadence: on iff beyond grace."""
    watch = OverloadWatch(poll_s=5, meter_stale_s=30)
    now = 0.0
    for excess_s, calm_s in episodes:
        start_s = now
        while now - start_s <= excess_s:
            on = watch.update(now, True, meter_at=None)
            assert on == (now - start_s > watch.grace_s)
            now += step_s
        end_s = now + calm_s
        while now < end_s:
            assert watch.update(now, False, meter_at=None) is False
            now += step_s


async def test_short_excess_is_no_overload_long_one_is(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    await start(hass, wall_connector, METER, sources)
    state = hass.states.get(OVERLOAD)
    assert state.state == STATE_OFF
    grace_s = state.attributes["grace_s"]
    assert grace_s == 5 + VEHICLE_LATENCY_S + MARGIN_S

    # A spike the cars answer within their reaction time: never on.
    sources.home_w = 110 * VOLTS  # the house alone over the 100 A panel
    await sources.changed()
    await poll(hass, freezer, grace_s - 6, sources)
    assert hass.states.get(OVERLOAD).state == STATE_OFF
    sources.home_w = 2000
    await sources.changed()
    assert hass.states.get(OVERLOAD).state == STATE_OFF

    # The same excess lasting past the grace: on, and off once it ends.
    sources.home_w = 110 * VOLTS
    await sources.changed()
    await poll(hass, freezer, grace_s + 6, sources)
    assert hass.states.get(OVERLOAD).state == STATE_ON
    sources.home_w = 2000
    await sources.changed()
    assert hass.states.get(OVERLOAD).state == STATE_OFF
