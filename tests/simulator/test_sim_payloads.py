"""The simulated local API serves payloads of exactly the real shapes."""

from collections.abc import Callable
import json
import re
from typing import Any

import pytest

from simulator import Site
from simulator.wall_connector.endpoints import render_endpoint


def build(
    make_site: Callable[..., Site], supply: str, firmware: str, state: str
) -> Site:
    """A one-unit site whose charger is in ``state`` at t = 60 s."""
    eu = supply == "three_phase"
    vehicle = {
        "name": "car1",
        "charger": "wc1",
        "battery_kwh": 60,
        "soc": 80 if state == "complete" else 40,
        "target_soc": 80,
        "arrive": "17:00",
        "depart": "19:00",
        "max_current_a": 16 if eu else 40,
        "phases": 3 if eu else 1,
        "latency": "5s",
    }
    site = make_site(
        site={"supply": supply, "main_breaker_a": 63 if eu else 100},
        chargers=[{"id": "wc1", "firmware": firmware}],
        vehicles=[] if state == "idle" else [vehicle],
    )
    if state == "connected":
        site.command_charging("wc1", on=False)
    site.advance(60)
    return site


def types_of(payload: dict[str, Any]) -> dict[str, str]:
    return {key: type(value).__name__ for key, value in payload.items()}


CASES = [
    # firmware, supply, state, real capture of that firmware family and state
    (
        "eu_21.8.5",
        "three_phase",
        "idle",
        "vitals_eu3p_idle-unplugged_fw21.8.5_teslalogger.json",
    ),
    (
        "eu_21.8.5",
        "three_phase",
        "charging",
        "vitals_eu3p_charging-5A_fw21.8.5_teslalogger.json",
    ),
    (
        "eu_23.24.3",
        "three_phase",
        "charging",
        "vitals_eu3p_charging-6A_evcc-pr5341.json",
    ),
    (
        "eu_23.24.3",
        "three_phase",
        "complete",
        "vitals_eu3p_connected-evse9_evcc-pr5341-1521.json",
    ),
    (
        "us_22.33.1",
        "split_phase",
        "charging",
        "vitals_us-split_charging-40A_ha-core-87667.json",
    ),
    (
        "us_uwc_24.36.3",
        "split_phase",
        "charging",
        "vitals_us-uwc_charging-47A_evse10_cfg4_fw24.36.3_gotest.json",
    ),
    (
        "us_26.18.0",
        "split_phase",
        "connected",
        "vitals_us_connected-evse4_relay-k1k2_notready1_fw26.18.0_zebraengine-wal.json",
    ),
    (
        "eu_2025-01",
        "three_phase",
        "connected",
        "vitals_eu_connected-evse4_alert49_notready1_relaycoil_evcc-18243.json",
    ),
]


@pytest.mark.parametrize(("firmware", "supply", "state", "capture"), CASES)
def test_vitals_match_real_capture(
    make_site, real_payload, firmware, supply, state, capture
):
    real = json.loads(real_payload(capture))
    site = build(make_site, supply, firmware, state)
    body = render_endpoint(site.chargers["wc1"], "vitals", site.now)
    ours = json.loads(body)

    assert list(ours) == list(real)  # same keys in the device's order
    assert types_of(ours) == types_of(real)
    for key in ("contactor_closed", "vehicle_connected", "evse_state", "config_status"):
        assert ours[key] == real[key], key


def test_vitals_use_the_firmwares_number_formats(make_site):
    site = build(make_site, "three_phase", "eu_21.8.5", "charging")
    body = render_endpoint(site.chargers["wc1"], "vitals", site.now)
    assert " " not in body
    assert not body.endswith("\n")
    assert re.search(r'"grid_hz":\d+\.\d{3},', body)
    assert re.search(r'"session_energy_wh":\d+\.\d{3},', body)
    assert re.search(r'"prox_v":\d+\.\d,', body)
    assert re.search(r'"uptime_s":\d+,', body)


def test_split_phase_currents_look_like_the_real_units(make_site):
    gen3 = json.loads(
        render_endpoint(
            build(make_site, "split_phase", "us_22.33.1", "charging").chargers["wc1"],
            "vitals",
            60,
        )
    )
    assert all(gen3[k] > 10 for k in ("currentA_a", "currentB_a", "currentC_a"))
    assert gen3["vehicle_current_a"] == pytest.approx(40, abs=0.2)
    assert gen3["voltageC_v"] == pytest.approx(gen3["grid_v"] / 2, abs=5)

    uwc = json.loads(
        render_endpoint(
            build(make_site, "split_phase", "us_uwc_24.36.3", "charging").chargers[
                "wc1"
            ],
            "vitals",
            60,
        )
    )
    assert (uwc["currentA_a"], uwc["currentC_a"]) == (0.0, 0.0)
    assert uwc["currentB_a"] == pytest.approx(40, abs=0.2)


def test_single_phase_car_on_three_phase_unit_loads_l1_and_neutral(make_site):
    site = make_site(
        site={"supply": "three_phase", "main_breaker_a": 63},
        chargers=[{"id": "wc1", "firmware": "eu_23.24.3"}],
        vehicles=[
            {
                "name": "car1",
                "charger": "wc1",
                "battery_kwh": 60,
                "soc": 40,
                "depart": "19:00",
                "max_current_a": 16,
                "phases": 1,
            }
        ],
    )
    site.advance(30)
    vitals = json.loads(render_endpoint(site.chargers["wc1"], "vitals", site.now))
    assert vitals["currentA_a"] == pytest.approx(16)
    assert vitals["currentB_a"] == vitals["currentC_a"] == 0.0
    assert vitals["currentN_a"] == pytest.approx(16)


VERSION_CASES = [
    ("eu_21.8.5", "version_eu_fw21.8.5_trixing.json"),
    (
        "us_uwc_24.36.3",
        "version_us-uwc_fw24.36.3_gitbranch_gotest_serial-redacted.json",
    ),
    ("us_26.18.0", "version_us_fw26.18.0_ieee1547-crc_zebraengine-wal.json"),
]


@pytest.mark.parametrize(("firmware", "capture"), VERSION_CASES)
def test_version_matches_real_capture(make_site, real_payload, firmware, capture):
    real = json.loads(real_payload(capture))
    site = make_site(chargers=[{"id": "wc1", "firmware": firmware}], vehicles=[])
    ours = json.loads(render_endpoint(site.chargers["wc1"], "version", 0))
    assert list(ours) == list(real)
    assert ours["firmware_version"] == real["firmware_version"]
    assert types_of(ours) == types_of(real)


@pytest.mark.parametrize(
    ("endpoint", "capture"),
    [
        ("lifetime", "lifetime_us_fw26.18.0_foldbacks34_zebraengine-wal.json"),
        ("lifetime", "lifetime_us-uwc_fw24.36.3_gotest.json"),
        ("wifi_status", "wifi_status_us_fw26.18.0_zebraengine-wal.json"),
    ],
)
def test_lifetime_and_wifi_match_real_capture(
    make_site, real_payload, endpoint, capture
):
    real = json.loads(real_payload(capture))
    site = make_site()
    site.advance(60)
    ours = json.loads(render_endpoint(site.chargers["wc1"], endpoint, site.now))
    assert list(ours) == list(real)
    assert types_of(ours) == types_of(real)


def test_lifetime_counts_the_session(make_site):
    site = make_site()
    unit = site.chargers["wc1"]
    before = json.loads(render_endpoint(unit, "lifetime", 0))
    site.advance(600)
    after = json.loads(render_endpoint(unit, "lifetime", site.now))
    assert after["charge_starts"] == before["charge_starts"] + 1
    assert after["connector_cycles"] == before["connector_cycles"] + 1
    assert after["energy_wh"] > before["energy_wh"]
    assert after["charging_time_s"] == before["charging_time_s"] + 600


def test_evse_state_follows_the_session(make_site):
    site = make_site(
        vehicles=[
            {
                "name": "car1",
                "charger": "wc1",
                "battery_kwh": 60,
                "soc": 79.9,
                "target_soc": 80,
                "arrive": "17:01",
                "depart": "17:30",
                "max_current_a": 32,
                "latency": "5s",
            }
        ]
    )
    unit = site.chargers["wc1"]
    seen = []
    while not site.done and site.now < 1900:
        site.step()
        state = unit.evse_state()
        if not seen or seen[-1] != state:
            seen.append(state)
    assert seen == [1, 11, 9, 1]  # unplugged, charging, complete, unplugged


@pytest.mark.parametrize(
    ("firmware", "supply"),
    [("us_26.18.0", "split_phase"), ("eu_2025-01", "three_phase")],
)
@pytest.mark.parametrize(
    ("state", "reasons"),
    [("idle", [4, 8]), ("connected", [1]), ("charging", [1]), ("complete", [1])],
)
def test_not_ready_reasons_as_units_send_them(
    make_site, firmware, supply, state, reasons
):
    site = build(make_site, supply, firmware, state)
    vitals = json.loads(render_endpoint(site.chargers["wc1"], "vitals", site.now))
    assert vitals["evse_not_ready_reasons"] == reasons
    assert ("relay_coil_v" in vitals) is (firmware == "eu_2025-01")


def test_pilot_low_is_negative_zero_when_complete(make_site):
    site = build(make_site, "split_phase", "us_22.33.1", "complete")
    body = render_endpoint(site.chargers["wc1"], "vitals", site.now)
    assert '"pilot_high_v":0.0,"pilot_low_v":-0.0,' in body
