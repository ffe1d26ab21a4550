"""An unreachable unit's fallback pilot changes at most as often as pacing allows.

The garage's unit stops answering while the home's load falls an amp every
poll: unpaced, its fallback rose +1 A every 6 s (21 commands in 2 minutes).
Nothing that raises its car is sent while the unit cannot be read.
"""

from datetime import datetime
from itertools import pairwise

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event

from custom_components.tesla_power_mgmt.engine import Timing

from .common import FakeWallConnector
from .site import METER, VOLTS, Car, Sources, poll, start

PILOT = "sensor.garage_pilot_current"


def record_pilots(hass: HomeAssistant) -> list[tuple[datetime, int]]:
    """Every change of the garage's pilot, with when it changed."""
    changes: list[tuple[datetime, int]] = []

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state.isdigit():
            changes.append((new.last_changed, int(new.state)))

    async_track_state_change_event(hass, [PILOT], changed)
    return changes


async def test_an_unreachable_units_fallback_is_paced(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    sources.home_w = 90 * VOLTS
    await start(hass, wall_connector, METER, sources)
    await poll(hass, freezer, 60, sources)
    pilots = record_pilots(hass)
    values, switches = len(car.current.writes), len(car.switch.writes)
    wall_connector.online = False
    for _ in range(60):  # 6 minutes, the home an amp lighter every poll
        sources.home_w -= VOLTS
        await poll(hass, freezer, 6, sources)
    assert hass.states.get("sensor.garage_limit_reason").state == "fallback_unreachable"
    rises = [at for (_, before), (at, value) in pairwise(pilots) if value > before]
    assert len(rises) >= 3, "the fallback follows the room up"
    for earlier, later in pairwise(rises):
        assert (later - earlier).total_seconds() >= Timing().increase_interval_s
    # The car itself is only ever lowered while its unit is blind.
    written = car.current.writes[values - 1 if values else 0 :]
    assert written == sorted(written, reverse=True)
    assert True not in car.switch.writes[switches:]
