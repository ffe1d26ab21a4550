"""The whole loop on a simulated site: real HTTP units, cars, a meter, a group.

Two cars arrive at 32 A each on a 40 A network while a dryer cycles; Home
Assistant polls the simulator's Wall Connectors over HTTP, reads its meter
through a sensor and commands each car through a number entity, exactly the
path it uses in a home.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import NumberEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    setup_test_component_platform,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_SAFETY_MARGIN,
    CONF_SWITCH_ENTITY,
)
from simulator import LiveSite, Site, scenario_from_dict

from .common import charger_subentry, site_entry

NETWORK_LIMIT = 40
PANEL = 100
MARGIN = 2
SCENARIO = {
    "name": "ha_two_cars_dryer",
    "seed": 7,
    "start": "18:00",
    "duration": "2h",
    "site": {"supply": "split_phase", "main_breaker_a": PANEL},
    "meter": {"interval": "2s", "delay": "1s"},
    "home": {
        "base_a": 20,
        "appliances": [
            {
                "kind": "dryer",
                "phases": ["L1", "L2"],
                "windows": [{"start": "18:10", "duration": "40m"}],
            }
        ],
    },
    "groups": [
        {"name": "garage", "limit_a": NETWORK_LIMIT, "chargers": ["left", "right"]}
    ],
    "chargers": [
        {
            "id": "left",
            "firmware": "us_26.18.0",
            "breaker_a": 60,
            "serial": "PGT00000000001",
        },
        {
            "id": "right",
            "firmware": "us_26.18.0",
            "breaker_a": 60,
            "serial": "PGT00000000002",
        },
    ],
    "vehicles": [
        {
            "name": name,
            "charger": charger,
            "battery_kwh": 75,
            "soc": 20,
            "target_soc": 90,
            "arrive": "18:00",
            "depart": "23:00",
            "max_current_a": 48,
            "latency": "10s",
            "initial_setpoint_a": 32,
        }
        for name, charger in (("model_y", "left"), ("model_3", "right"))
    ],
}


class SimCurrent(NumberEntity):
    """A car's charge-current number that commands the simulated car."""

    _attr_native_min_value = 0
    _attr_native_max_value = 48
    _attr_native_step = 1
    _attr_should_poll = False

    def __init__(self, site: Site, charger_id: str) -> None:
        self.site = site
        self.charger_id = charger_id
        self.entity_id = f"number.{charger_id}_car_charge_current"
        self._attr_unique_id = self.entity_id
        self._attr_native_value = 32
        self.writes = 0

    async def async_set_native_value(self, value: float) -> None:
        self.writes += 1
        self.site.command_current(self.charger_id, int(value))
        self._attr_native_value = value
        self.async_write_ha_state()


class SimCharging(SwitchEntity):
    """A car's charging switch that commands the simulated car."""

    _attr_should_poll = False
    _attr_is_on = True

    def __init__(self, site: Site, charger_id: str) -> None:
        self.site = site
        self.charger_id = charger_id
        self.entity_id = f"switch.{charger_id}_car_charging"
        self._attr_unique_id = self.entity_id

    async def async_turn_on(self, **kwargs: object) -> None:
        self.site.command_charging(self.charger_id, True)
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: object) -> None:
        self.site.command_charging(self.charger_id, False)
        self._attr_is_on = False
        self.async_write_ha_state()


@pytest.fixture
async def live(socket_enabled: None) -> AsyncIterator[LiveSite]:
    site = Site(scenario_from_dict(SCENARIO).site)
    async with LiveSite(site, speed=0) as served:
        yield served


def report_meter(hass: HomeAssistant, site: Site) -> None:
    reading = site.meter.latest
    if reading is not None:
        hass.states.async_set(
            "sensor.grid_power",
            str(round(reading.power_w)),
            {"unit_of_measurement": "W"},
        )


async def test_group_and_panel_hold_on_a_simulated_site(
    hass: HomeAssistant, live: LiveSite, freezer: FrozenDateTimeFactory
) -> None:
    site = live.site
    numbers = [SimCurrent(site, c) for c in ("left", "right")]
    switches = [SimCharging(site, c) for c in ("left", "right")]
    setup_test_component_platform(hass, "number", numbers)
    setup_test_component_platform(hass, "switch", switches)
    assert await async_setup_component(hass, "number", {"number": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    site.advance(5)
    report_meter(hass, site)
    chargers = [
        charger_subentry(
            int(live.hosts[c].rsplit(":", 1)[1]),
            title=c.title(),
            unique_id=f"PGT0000000000{i}",
            breaker=60,
            **{
                CONF_CURRENT_ENTITY: f"number.{c}_car_charge_current",
                CONF_SWITCH_ENTITY: f"switch.{c}_car_charging",
            },
        )
        for i, c in enumerate(("left", "right"), start=1)
    ]
    entry = site_entry(
        *chargers,
        options={
            CONF_NETWORK_LIMIT: NETWORK_LIMIT,
            CONF_GRID_POWER_ENTITY: "sensor.grid_power",
            CONF_PANEL_LIMIT: PANEL,
            CONF_SAFETY_MARGIN: MARGIN,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    group_peaks: list[float] = []
    panel_peaks: list[float] = []
    for _ in range(240):  # 20 minutes in 5 s steps
        site.advance(5)
        report_meter(hass, site)
        freezer.tick(timedelta(seconds=5.1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        snapshot = site.last
        assert snapshot is not None
        if snapshot.now > 60:  # past the cars' arrival at 32 A each
            group_peaks.append(sum(snapshot.charger_currents.values()))
            panel_peaks.append(max(snapshot.grid_currents.values()))

    # The cars' own latency (10 s) plus a poll is the reaction window.
    assert max(group_peaks) <= NETWORK_LIMIT + 0.5
    assert max(panel_peaks) <= PANEL
    # Shared fairly once settled, and the limit is used.
    final = site.last.charger_currents
    assert abs(final["left"] - final["right"]) <= 2
    assert sum(final.values()) >= NETWORK_LIMIT - 4
    assert sum(n.writes for n in numbers) < 20, "few commands"
    assert hass.states.get("sensor.left_limit_reason").state == "network_limit"
