"""A unit that answers with what cannot be trusted is reserved as unreachable.

Two chargers on a 60 A network: the garage's car is controlled, the shed's
unit is a second fake Wall Connector. Whatever the shed says that is not a
valid reading (bad values, undecodable bytes, another unit's serial number),
the garage's car is never left above what fits beside the shed's fallback.
"""

from collections.abc import AsyncIterator
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt.const import CONF_NETWORK_LIMIT, DOMAIN

from .common import (
    LIFETIME,
    SERIAL,
    VERSION,
    FakeWallConnector,
    charger_subentry,
    real_payload,
    serving,
    site_entry,
)
from .site import CONTROL, Car, poll

SHED_SERIAL = "B7S22186J99999"
IDLE = "vitals_us_idle_notes-jq_TRUNCATED-by-author.txt"
NETWORK_A = 60
FALLBACK_A = NETWORK_A // 2


@pytest.fixture
async def shed(socket_enabled: None) -> AsyncIterator[FakeWallConnector]:
    """A second fake unit: idle, with its own serial number."""
    fake = FakeWallConnector()
    fake.bodies["version"] = real_payload(VERSION).replace(SERIAL, SHED_SERIAL)
    fake.bodies["vitals"] = real_payload(IDLE)
    async with serving(fake):
        yield fake


async def start_two(
    hass: HomeAssistant, garage: FakeWallConnector, shed: FakeWallConnector
) -> MockConfigEntry:
    entry = site_entry(
        charger_subentry(garage.port, **CONTROL),
        charger_subentry(shed.port, title="Shed", unique_id=SHED_SERIAL),
        options={CONF_NETWORK_LIMIT: NETWORK_A},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def shed_reason(hass: HomeAssistant) -> str:
    return hass.states.get("sensor.shed_limit_reason").state


def idle_vitals() -> dict[str, Any]:
    text = real_payload(IDLE)
    return json.loads(text.rstrip() + "}")  # type: ignore[no-any-return]


BAD_VITALS = {
    "empty": "{}",
    "all_null": json.dumps(dict.fromkeys(idle_vitals())),
    "connected_missing": json.dumps(
        {k: v for k, v in idle_vitals().items() if k != "vehicle_connected"}
    ),
    "connected_string": json.dumps({**idle_vitals(), "vehicle_connected": "false"}),
    "current_list": json.dumps({**idle_vitals(), "vehicle_current_a": [0.4]}),
    "current_nan": json.dumps({**idle_vitals(), "vehicle_current_a": float("nan")}),
    "current_negative": json.dumps({**idle_vitals(), "vehicle_current_a": -30.0}),
    "current_5000": json.dumps({**idle_vitals(), "vehicle_current_a": 5000.0}),
    "state_unknown": json.dumps({**idle_vitals(), "evse_state": 5}),
    "bare_nan": real_payload(IDLE).replace('"grid_v": 237.5', '"grid_v": nan'),
    "invalid_utf8": b'{"vehicle_connected": false, "grid_v": \xff\xfe}',
    "5000_digits": '{"vehicle_current_a": ' + "9" * 5000 + "}",
    "deep_nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("body", BAD_VITALS.values(), ids=BAD_VITALS.keys())
async def test_bad_vitals_never_free_the_shed_current(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    shed: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    body: str | bytes,
) -> None:
    await start_two(hass, wall_connector, shed)
    assert shed_reason(hass) == "no_vehicle"
    assert car.commanded == 48, "nothing at the shed: the garage may have it all"

    shed.bodies["vitals"] = body
    caplog.clear()
    await poll(hass, freezer, 60)
    assert shed_reason(hass) == "fallback_unreachable"
    assert hass.states.get("sensor.shed_vehicle_current").state == STATE_UNAVAILABLE
    assert car.commanded <= NETWORK_A - FALLBACK_A
    # The cause is logged once, without a traceback, not on every poll.
    shed_errors = [
        r for r in caplog.records if r.levelno >= logging.ERROR and "Shed" in r.message
    ]
    assert len(shed_errors) == 1
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)

    shed.bodies["vitals"] = real_payload(IDLE)
    await poll(hass, freezer, 12)
    assert shed_reason(hass) == "no_vehicle"
    assert "recovered" in caplog.text


async def test_another_unit_at_the_host_is_refused_with_a_repair(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    shed: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await start_two(hass, wall_connector, shed)
    shed_id = next(s for s, sub in entry.subentries.items() if sub.title == "Shed")
    issue_id = f"{entry.entry_id}_wrong_unit_{shed_id}"
    issues = ir.async_get(hass)
    assert car.commanded == 48

    # A unit swapped in at the shed's address says "no vehicle": checked
    # with the version poll, its reading is not the shed's.
    other = "B7S22186J00000"
    shed.bodies["version"] = real_payload(VERSION).replace(SERIAL, other)
    await poll(hass, freezer, 320)
    assert shed_reason(hass) == "fallback_unreachable"
    assert car.commanded <= NETWORK_A - FALLBACK_A
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["expected"] == SHED_SERIAL
    assert issue.translation_placeholders["found"] == other

    # After a reconnection the serial is read at once.
    shed.bodies["version"] = real_payload(VERSION).replace(SERIAL, SHED_SERIAL)
    await poll(hass, freezer, 6)
    assert shed_reason(hass) == "no_vehicle"
    assert issues.async_get_issue(DOMAIN, issue_id) is None

    shed.online = False
    await poll(hass, freezer, 6)
    shed.online = True
    shed.bodies["version"] = real_payload(VERSION).replace(SERIAL, other)
    await poll(hass, freezer, 6)
    assert shed_reason(hass) == "fallback_unreachable"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    await hass.config_entries.async_unload(entry.entry_id)
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_lifetime_going_backwards_is_not_published(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    shed: FakeWallConnector,
    car: Car,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lifetime = json.loads(real_payload(LIFETIME))
    lifetime["energy_wh"] = 32_981_800.0
    wall_connector.bodies["lifetime"] = json.dumps(lifetime)
    await start_two(hass, wall_connector, shed)
    energy = "sensor.garage_lifetime_energy"
    assert float(hass.states.get(energy).state) == pytest.approx(32_981.8)

    wall_connector.bodies["lifetime"] = json.dumps({**lifetime, "energy_wh": 1000.0})
    caplog.clear()
    await poll(hass, freezer, 200)  # three lifetime polls
    assert hass.states.get(energy).state == STATE_UNKNOWN
    assert caplog.text.count("went backwards") == 1

    wall_connector.bodies["lifetime"] = json.dumps(
        {**lifetime, "energy_wh": 32_990_000.0}
    )
    await poll(hass, freezer, 66)
    assert float(hass.states.get(energy).state) == pytest.approx(32_990.0)


@pytest.mark.parametrize(("code", "name"), [(3, "preparing"), (7, "starting")])
async def test_idle_current_is_no_draw_and_states_are_named(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    shed: FakeWallConnector,
    freezer: FrozenDateTimeFactory,
    code: int,
    name: str,
) -> None:
    """Plugged in, contactor open: 0.4 A of idle noise is 0 A and 0 W."""
    await start_two(hass, wall_connector, shed)
    vitals = json.loads(real_payload(IDLE).rstrip() + "}")
    shed.bodies["vitals"] = json.dumps(
        {
            **vitals,
            "vehicle_connected": True,
            "evse_state": code,
            "vehicle_current_a": 0.4,
        }
    )
    await poll(hass, freezer, 6)
    assert hass.states.get("sensor.shed_state").state == name
    assert float(hass.states.get("sensor.shed_vehicle_current").state) == 0.0
    assert float(hass.states.get("sensor.shed_power").state) == 0.0
    network = float(hass.states.get("sensor.home_network_current").state)
    assert network == float(hass.states.get("sensor.garage_vehicle_current").state), (
        "the shed's idle noise is not counted"
    )
