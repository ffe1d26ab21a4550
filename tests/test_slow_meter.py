"""A slow cloud meter with default options charges nearly as much as a fast one.

The same evening on a simulated site twice: a meter reporting every 2 s, 1 s
late, and one reporting every 40 s, 15 s late, with the integration's default
options. The meter entity is written only when the meter reports, so its
``last_reported`` shows the meter's own cadence, as in a home.
"""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    setup_test_component_platform,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_PANEL_LIMIT,
    CONF_SWITCH_ENTITY,
)
from simulator import LiveSite, Site, scenario_from_dict

from .common import charger_subentry, site_entry
from .test_simulated_site import SimCharging, SimCurrent

PANEL = 100
STEP_S = 5.0
MINUTES = 30


def _scenario(name: str, interval: str, delay: str, serial: str) -> dict:
    """One 48 A car on a 100 A panel, with a dryer and an oven cycling."""
    return {
        "name": f"ha_meter_{name}",
        "seed": 11,
        "start": "18:00",
        "duration": "1h",
        "site": {"supply": "split_phase", "main_breaker_a": PANEL},
        "meter": {"interval": interval, "delay": delay},
        "home": {
            "base_a": 30,
            "appliances": [
                {
                    "kind": "dryer",
                    "phases": ["L1", "L2"],
                    "windows": [{"start": "18:05", "duration": "20m"}],
                },
                {
                    "kind": "oven",
                    "phases": ["L1", "L2"],
                    "windows": [{"start": "18:12", "duration": "15m"}],
                },
            ],
        },
        "chargers": [
            {"id": name, "firmware": "us_26.18.0", "breaker_a": 60, "serial": serial}
        ],
        "vehicles": [
            {
                "name": f"car_{name}",
                "charger": name,
                "battery_kwh": 75,
                "soc": 20,
                "target_soc": 90,
                "arrive": "18:00",
                "depart": "23:00",
                "max_current_a": 48,
                "latency": "10s",
                "initial_setpoint_a": 32,
            }
        ],
    }


class Evening:
    """One simulated site, its Home Assistant site entry and what its car got."""

    def __init__(self, name: str, interval: str, delay: str, serial: str) -> None:
        self.name, self.serial = name, serial
        self.site = Site(
            scenario_from_dict(_scenario(name, interval, delay, serial)).site
        )
        self.reported: object = None
        self.delivered_as = 0.0
        self.grid_peaks: list[float] = []

    def report(self, hass: HomeAssistant) -> None:
        """Write the meter entity only when the meter has reported something new."""
        reading = self.site.meter.latest
        if reading is not None and reading is not self.reported:
            self.reported = reading
            hass.states.async_set(
                f"sensor.{self.name}_grid_power",
                str(round(reading.power_w)),
                {"unit_of_measurement": "W"},
            )

    def entry(self, live: LiveSite) -> MockConfigEntry:
        """The site entry: the defaults but for the meter and the panel."""
        return site_entry(
            charger_subentry(
                int(live.hosts[self.name].rsplit(":", 1)[1]),
                title=self.name.title(),
                unique_id=self.serial,
                breaker=60,
                **{
                    CONF_CURRENT_ENTITY: f"number.{self.name}_car_charge_current",
                    CONF_SWITCH_ENTITY: f"switch.{self.name}_car_charging",
                },
            ),
            options={
                CONF_GRID_POWER_ENTITY: f"sensor.{self.name}_grid_power",
                CONF_PANEL_LIMIT: PANEL,
            },
        )

    def record(self) -> None:
        snapshot = self.site.last
        assert snapshot is not None
        self.delivered_as += sum(snapshot.charger_currents.values()) * STEP_S
        self.grid_peaks.append(max(snapshot.grid_currents.values()))


async def test_a_40_s_meter_charges_90_percent_of_a_2_s_meter(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, socket_enabled: None
) -> None:
    fast = Evening("fast", "2s", "1s", "PGT00000000001")
    slow = Evening("slow", "40s", "15s", "PGT00000000002")
    evenings = (fast, slow)
    setup_test_component_platform(
        hass, "number", [SimCurrent(e.site, e.name) for e in evenings]
    )
    setup_test_component_platform(
        hass, "switch", [SimCharging(e.site, e.name) for e in evenings]
    )
    assert await async_setup_component(hass, "number", {"number": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    async with (
        LiveSite(fast.site, speed=0) as fast_live,
        LiveSite(slow.site, speed=0) as slow_live,
    ):
        for evening, live in ((fast, fast_live), (slow, slow_live)):
            evening.site.advance(STEP_S)
            evening.report(hass)
            entry = evening.entry(live)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        for _ in range(int(MINUTES * 60 / STEP_S)):
            freezer.tick(timedelta(seconds=STEP_S))
            for evening in evenings:
                evening.site.advance(STEP_S)
                evening.report(hass)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
            for evening in evenings:
                evening.record()
    assert fast.delivered_as > 0
    ratio = slow.delivered_as / fast.delivered_as
    assert ratio >= 0.9, f"{ratio:.1%} of what the fast meter gets"
    assert hass.states.get("sensor.slow_limit_reason").state != "stale_input"
    # Over the panel at most while the slow meter cannot show it yet.
    longest = run = 0
    for peak in slow.grid_peaks:
        run = run + 1 if peak > PANEL else 0
        longest = max(longest, run)
    assert longest * STEP_S <= 40 + 15 + 2 * STEP_S
