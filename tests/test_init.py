"""Setting a site up: chargers polled, entities shown, failures contained."""

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tesla_power_mgmt.const import (
    CONF_PHASES,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

from .common import (
    SERIAL,
    WALL_CONNECTOR_FIXTURES,
    FakeWallConnector,
    charger_subentry,
    real_payload,
    site_entry,
)


def device_of(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry | None:
    return dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SERIAL), entry.entry_id
    )


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let time pass in steps just over the poll interval (which has jitter).

    One large jump would also fire the HTTP client's keep-alive timers in
    the middle of a request to the (real, local) fake unit.
    """
    while seconds > 0:
        step = min(seconds, 6)
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        # Polls run as background tasks doing real (local) HTTP.
        await hass.async_block_till_done(wait_background_tasks=True)
        seconds -= step


async def test_split_phase_charger(
    hass: HomeAssistant, site: MockConfigEntry, wall_connector: FakeWallConnector
) -> None:
    await setup(hass, site)
    assert site.state is ConfigEntryState.LOADED

    assert hass.states.get("sensor.garage_vehicle_current").state == "40.4"
    power = float(hass.states.get("sensor.garage_power").state)
    assert power == pytest.approx(228.6 * 40.4, abs=1)
    assert hass.states.get("sensor.garage_state").state == "charging"
    assert hass.states.get("binary_sensor.garage_charging").state == STATE_ON
    assert hass.states.get("binary_sensor.garage_vehicle_connected").state == STATE_ON
    assert hass.states.get("binary_sensor.garage_online").state == STATE_ON
    lifetime = hass.states.get("sensor.garage_lifetime_energy")
    assert lifetime.attributes["unit_of_measurement"] == "kWh"
    assert float(lifetime.state) == pytest.approx(32981.0, rel=0.01)
    assert hass.states.get("sensor.garage_thermal_foldbacks").state == "34"
    assert hass.states.get("sensor.garage_wi_fi_signal_strength").state == "48"
    # Split-phase legs read oddly; they are not offered as entities.
    assert hass.states.get("sensor.garage_phase_a_current") is None

    device = device_of(hass, site)
    assert device is not None
    assert device.name == "Garage"
    assert device.serial_number == SERIAL
    assert device.model_id == "1457768-02-G"
    assert device.sw_version == "26.18.0+g114f7602e40a09"


async def test_three_phase_charger(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    wall_connector.bodies["vitals"] = real_payload(
        "vitals_eu3p_charging-6A_evcc-pr5341.json"
    )
    entry = site_entry(
        charger_subentry(wall_connector.port, **{CONF_PHASES: 3}),
        supply=Supply.THREE_PHASE,
        region=Region.IEC,
    )
    await setup(hass, entry)
    for phase in "abc":
        state = hass.states.get(f"sensor.garage_phase_{phase}_current")
        assert float(state.state) == pytest.approx(6.1, abs=0.2)
    assert (
        3 * 6 * 220 < float(hass.states.get("sensor.garage_power").state) < 3 * 7 * 240
    )
    entity = er.async_get(hass).async_get("sensor.garage_phase_a_voltage")
    assert entity is not None
    assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.parametrize(
    "name", sorted(p.name for p in WALL_CONNECTOR_FIXTURES.glob("vitals_*"))
)
async def test_every_real_vitals_payload(
    hass: HomeAssistant, wall_connector: FakeWallConnector, name: str
) -> None:
    wall_connector.bodies["vitals"] = real_payload(name)
    await setup(hass, site_entry(charger_subentry(wall_connector.port)))
    state = hass.states.get("sensor.garage_state")
    assert state.state in (*state.attributes["options"], STATE_UNKNOWN)
    assert hass.states.get("sensor.garage_vehicle_current").state != STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.garage_online").state == STATE_ON


async def test_one_unreachable_charger_affects_only_itself(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = site_entry(
        charger_subentry(wall_connector.port),
        # Nothing listens on port 9 of the loopback address.
        charger_subentry(9, title="Shed", unique_id="SHED0001"),
    )
    await setup(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.garage_vehicle_current").state == "40.4"
    assert hass.states.get("sensor.shed_vehicle_current").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.shed_online").state == STATE_OFF

    caplog.clear()
    caplog.set_level(logging.INFO)
    wall_connector.online = False
    for _ in range(3):
        await poll(hass, freezer, 5)
    assert hass.states.get("sensor.garage_vehicle_current").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.garage_online").state == STATE_OFF
    lost = [r for r in caplog.records if "Garage" in r.getMessage()]
    assert len(lost) == 1, "a lost unit is logged once"

    caplog.clear()
    wall_connector.online = True
    for _ in range(3):
        await poll(hass, freezer, 5)
    assert hass.states.get("sensor.garage_vehicle_current").state == "40.4"
    back = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(back) == 1, "a unit back online is logged once"


async def test_garbled_vitals_are_a_recoverable_error(
    hass: HomeAssistant,
    site: MockConfigEntry,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, site)
    good = wall_connector.bodies["vitals"]
    wall_connector.bodies["vitals"] = '{"contactor_closed": tru'
    await poll(hass, freezer, 5)
    assert hass.states.get("sensor.garage_vehicle_current").state == STATE_UNAVAILABLE
    wall_connector.bodies["vitals"] = good
    await poll(hass, freezer, 5)
    assert hass.states.get("sensor.garage_vehicle_current").state == "40.4"


async def test_slow_endpoints_keep_their_last_value(
    hass: HomeAssistant,
    site: MockConfigEntry,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, site)
    assert wall_connector.requests.count("lifetime") == 1
    await poll(hass, freezer, 5)
    assert wall_connector.requests.count("lifetime") == 1, "not due yet"

    del wall_connector.bodies["lifetime"]
    del wall_connector.bodies["wifi_status"]
    await poll(hass, freezer, 61)
    assert wall_connector.requests.count("lifetime") == 2, "one try per minute"
    await poll(hass, freezer, 240)
    assert wall_connector.requests.count("wifi_status") == 2
    assert hass.states.get("sensor.garage_thermal_foldbacks").state == "34"
    assert hass.states.get("sensor.garage_wi_fi_signal_strength").state == "48"


async def test_version_read_when_unit_comes_online(
    hass: HomeAssistant,
    site: MockConfigEntry,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    wall_connector.online = False
    await setup(hass, site)
    device = device_of(hass, site)
    assert device is not None
    assert device.sw_version is None
    wall_connector.online = True
    await poll(hass, freezer, 5)
    device = device_of(hass, site)
    assert device is not None
    assert device.sw_version == "26.18.0+g114f7602e40a09"


async def test_options_change_polling_interval(
    hass: HomeAssistant,
    site: MockConfigEntry,
    wall_connector: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, site)
    hass.config_entries.async_update_entry(site, options={CONF_SCAN_INTERVAL: 30})
    await hass.async_block_till_done()
    before = wall_connector.requests.count("vitals")
    await poll(hass, freezer, 10)
    assert wall_connector.requests.count("vitals") == before
    await poll(hass, freezer, 25)
    assert wall_connector.requests.count("vitals") == before + 1


async def test_removing_a_charger_removes_its_device(
    hass: HomeAssistant, site: MockConfigEntry, wall_connector: FakeWallConnector
) -> None:
    await setup(hass, site)
    subentry_id = next(iter(site.subentries))
    assert hass.config_entries.async_remove_subentry(site, subentry_id)
    await hass.async_block_till_done()
    assert device_of(hass, site) is None
    assert hass.states.get("sensor.garage_vehicle_current") is None


async def test_unload(
    hass: HomeAssistant, site: MockConfigEntry, wall_connector: FakeWallConnector
) -> None:
    await setup(hass, site)
    assert await hass.config_entries.async_unload(site.entry_id)
    await hass.async_block_till_done()
    assert site.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("sensor.garage_vehicle_current").state == STATE_UNAVAILABLE
