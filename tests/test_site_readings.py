"""A meter or Powerwall reading is new only when all of its values are trusted."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.tesla_power_mgmt.const import (
    CONF_GRID_POWER_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_PANEL_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SOLAR_POWER_ENTITY,
)
from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    OutageConfig,
    SiteConfig,
)
from custom_components.tesla_power_mgmt.site_readings import SiteReader

from .common import FakeWallConnector
from .site import POWERWALL, VOLTS, Car, Sources, poll, start

KW = {"unit_of_measurement": "kW"}
AMPS = {"unit_of_measurement": "A"}
OUTAGE_SITE = SiteConfig(chargers=(ChargerConfig("a"),), outage=OutageConfig())
PHASES = ["sensor.l1", "sensor.l2", "sensor.l3"]
METER_SITE = SiteConfig(
    chargers=(ChargerConfig("a", phases=(0, 1, 2)),), phase_count=3, panel_limit_a=63
)


def report_powerwall(hass: HomeAssistant, load: str, solar: str) -> None:
    hass.states.async_set(POWERWALL["grid_status_entity"], "off")
    hass.states.async_set(
        POWERWALL["battery_level_entity"], "80", {"unit_of_measurement": "%"}
    )
    hass.states.async_set(POWERWALL[CONF_HOME_LOAD_ENTITY], load, KW)
    hass.states.async_set(POWERWALL[CONF_SOLAR_POWER_ENTITY], solar, KW)


@pytest.mark.parametrize("bad", ["inf", "-inf", "nan", "1e400", "unavailable", "-5"])
async def test_one_bad_powerwall_value_holds_the_whole_reading(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, bad: str
) -> None:
    reader = SiteReader(hass, POWERWALL)
    report_powerwall(hass, load="3.0", solar="1.0")
    first = reader.read(OUTAGE_SITE)
    assert (first.site_load_w, first.solar_w) == (3000.0, 1000.0)

    freezer.tick(5)
    report_powerwall(hass, load=bad, solar="6.0")  # solar fresh, load not
    held = reader.read(OUTAGE_SITE)
    assert held == first, "fresh solar is not combined with an old home load"
    assert held.powerwall_at == first.powerwall_at

    freezer.tick(5)
    report_powerwall(hass, load="2.5", solar="6.0")
    fresh = reader.read(OUTAGE_SITE)
    assert (fresh.site_load_w, fresh.solar_w) == (2500.0, 6000.0)
    assert fresh.powerwall_at is not None
    assert first.powerwall_at is not None
    assert fresh.powerwall_at > first.powerwall_at


async def test_one_bad_phase_holds_the_whole_meter(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    options = {CONF_PHASE_CURRENT_ENTITIES: PHASES, CONF_PANEL_LIMIT: 63}
    reader = SiteReader(hass, options)
    for entity in PHASES:
        hass.states.async_set(entity, "40", AMPS)
    first = reader.read(METER_SITE)
    assert first.phase_current_a == (40.0, 40.0, 40.0)
    freezer.tick(5)
    hass.states.async_set(PHASES[0], "5", AMPS)
    hass.states.async_set(PHASES[1], "inf", AMPS)
    assert reader.read(METER_SITE) == first
    assert SiteReader(hass, options).read(METER_SITE).meter_at is None


async def test_grid_power_meter_never_read_is_none(hass: HomeAssistant) -> None:
    options = {CONF_GRID_POWER_ENTITY: "sensor.grid", CONF_PANEL_LIMIT: 63}
    view = SiteReader(hass, options).read(
        SiteConfig(chargers=(ChargerConfig("a"),), panel_limit_a=63)
    )
    assert view.meter_reading() is None


async def test_infinite_home_load_during_an_outage_never_raises(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The measured failure: load ``inf`` while solar is fresh rose 16 A to 41 A."""
    sources.home_w = 1000
    sources.grid_up = False
    await start(hass, wall_connector, POWERWALL, sources)
    before = car.commanded
    assert before == 3500 // VOLTS  # 5 kW less the 10 % margin - 1 kW home
    sources.load_value = "inf"
    await poll(hass, freezer, 6, sources)
    sources.solar_w = 6000  # the sun comes out while the load reads inf
    for _ in range(20):  # two minutes of reports
        await poll(hass, freezer, 6, sources)
        assert car.commanded <= before
    assert hass.states.get("sensor.garage_limit_reason").state == "stale_input"
