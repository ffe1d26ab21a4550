"""Every captured Wall Connector payload, served over HTTP and read back."""

import json
import math
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.tesla_power_mgmt.wall_connector import (
    IDLE_NOISE_A,
    Identity,
    Lifetime,
    NotAWallConnectorError,
    Vitals,
    WallConnectorClient,
    WallConnectorUnavailableError,
    WifiStatus,
    base_address,
    normalize_host,
)

from .common import VITALS_CHARGING_US, WALL_CONNECTOR_FIXTURES, FakeWallConnector

ENDPOINTS = ("wifi_status", "vitals", "lifetime", "version")
ALL_FIXTURES = sorted(p.name for p in WALL_CONNECTOR_FIXTURES.iterdir())


def fixture_text(name: str) -> str:
    return (WALL_CONNECTOR_FIXTURES / name).read_text()


def endpoint_of(name: str) -> str:
    return next(e for e in ENDPOINTS if name.startswith(f"{e}_"))


def expected(text: str) -> dict[str, Any]:
    """The payload as a person reads it: bare nan is null, a lost } is back."""
    text = re.sub(r":\s*nan\b", ": null", text)
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return json.loads(text.rstrip() + "}")  # type: ignore[no-any-return]


def same(parsed: object, raw: object) -> bool:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return parsed is None
    return parsed == raw


def drawn(raw: dict[str, Any], key: str) -> float:
    """A current as the vehicle draws it: idle noise behind an open contactor is 0."""
    value = float(raw[key])
    return 0.0 if not raw["contactor_closed"] and value <= IDLE_NOISE_A else value


def test_every_fixture_is_known() -> None:
    assert len(ALL_FIXTURES) >= 30
    for name in ALL_FIXTURES:
        endpoint_of(name)


@pytest.mark.parametrize("name", ALL_FIXTURES)
async def test_real_payload_is_read(
    hass: HomeAssistant, wall_connector: FakeWallConnector, name: str
) -> None:
    text = fixture_text(name)
    endpoint = endpoint_of(name)
    wall_connector.bodies[endpoint] = text
    client = WallConnectorClient(
        "127.0.0.1", async_get_clientsession(hass), wall_connector.port
    )
    raw = expected(text)

    if endpoint == "version":
        identity = await client.identity()
        assert identity == Identity(
            serial_number=raw["serial_number"],
            part_number=raw.get("part_number"),
            firmware_version=raw.get("firmware_version"),
        )
    elif endpoint == "vitals":
        # Every real unit's vitals are trusted, EU ones under the 32 A nameplate.
        vitals, payload = await client.vitals(32 if "_eu" in name else 48)
        assert payload == raw
        assert vitals.vehicle_current_a == drawn(raw, "vehicle_current_a")
        assert vitals.evse_state == raw["evse_state"]
        assert vitals.contactor_closed is raw["contactor_closed"]
        assert same(vitals.session_energy_wh, raw.get("session_energy_wh"))
        for index, phase in enumerate("ABC"):
            assert vitals.phase_current_a[index] == drawn(raw, f"current{phase}_a")
            assert same(vitals.phase_voltage_v[index], raw.get(f"voltage{phase}_v"))
        if not raw["contactor_closed"]:
            assert vitals.power_w(three_phase=True) == 0.0
            assert vitals.power_w(three_phase=False) == 0.0
    elif endpoint == "lifetime":
        lifetime, _ = await client.lifetime()
        for field in ("energy_wh", "thermal_foldbacks", "alert_count"):
            assert same(getattr(lifetime, field), raw.get(field))
    else:
        wifi, _ = await client.wifi_status()
        assert same(wifi.signal_strength, raw.get("wifi_signal_strength"))
        assert same(wifi.connected, raw.get("wifi_connected"))


async def test_repaired_quirks(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    """The two firmware JSON bugs come back as values, not errors."""
    client = WallConnectorClient(
        "127.0.0.1", async_get_clientsession(hass), wall_connector.port
    )
    wall_connector.bodies["lifetime"] = (
        WALL_CONNECTOR_FIXTURES
        / "lifetime_NOT-VERBATIM_nan-3-fields_einarhauks-testfixture.txt"
    ).read_text()
    lifetime, _ = await client.lifetime()
    assert lifetime.alert_count is None
    assert lifetime.energy_wh == 2566837
    wall_connector.bodies["vitals"] = fixture_text(
        "vitals_us_idle_notes-jq_TRUNCATED-by-author.txt"
    )
    vitals, _ = await client.vitals(48)
    assert vitals.evse_state == 1
    assert vitals.current_alerts == ()


def test_power_split_phase_uses_vehicle_current() -> None:
    """Real split-phase units show odd per-leg currents; the total is V x I."""
    raw = expected(
        (
            WALL_CONNECTOR_FIXTURES / "vitals_us-split_charging-40A_ha-core-87667.json"
        ).read_text()
    )
    vitals = Vitals.from_payload(raw, 48)
    assert vitals.power_w(three_phase=False) == round(
        raw["grid_v"] * raw["vehicle_current_a"], 1
    )


def test_power_three_phase_sums_phases() -> None:
    raw = expected(
        (
            WALL_CONNECTOR_FIXTURES / "vitals_eu3p_charging-6A_evcc-pr5341.json"
        ).read_text()
    )
    vitals = Vitals.from_payload(raw, 32)
    total = sum(raw[f"voltage{p}_v"] * raw[f"current{p}_a"] for p in "ABC")
    assert vitals.power_w(three_phase=True) == round(total, 1)


def test_power_unknown_when_a_phase_voltage_is_missing() -> None:
    raw = expected(fixture_text("vitals_eu3p_charging-6A_evcc-pr5341.json"))
    vitals = Vitals.from_payload({**raw, "voltageB_v": None}, 32)
    assert vitals.power_w(three_phase=True) is None
    assert vitals.power_w(three_phase=False) is not None


@pytest.mark.parametrize(("current", "counted"), [(0.3, 0.0), (1.0, 0.0), (5.0, 5.0)])
def test_open_contactor_idle_noise_is_not_a_draw(
    current: float, counted: float
) -> None:
    """Idle units read 0.3-0.6 A; a current beyond that is counted whatever the flag."""
    raw = expected(fixture_text(VITALS_CHARGING_US))
    payload = {
        **raw,
        "contactor_closed": False,
        "vehicle_current_a": current,
        "currentA_a": current,
    }
    vitals = Vitals.from_payload(payload, 48)
    assert vitals.vehicle_current_a == counted
    assert vitals.phase_current_a[0] == counted
    assert vitals.power_w(three_phase=False) == round(counted * raw["grid_v"], 1)


@pytest.mark.parametrize("payload", [{}, {"wifi_rssi": "12", "energy_wh": True}])
def test_slow_endpoints_read_what_is_valid(payload: dict[str, Any]) -> None:
    assert Lifetime.from_payload(payload).energy_wh is None
    assert WifiStatus.from_payload(payload).rssi is None


def test_lifetime_going_backwards_reads_unknown() -> None:
    """A glitch from 32,981.8 kWh to 1.0 kWh is not a meter reset."""
    good = Lifetime.from_payload({"energy_wh": 32_981_800.0, "charge_starts": 12})
    glitch = Lifetime.from_payload({"energy_wh": 1000.0, "charge_starts": 13})
    checked, behind = glitch.checked_against(good)
    assert behind == ["energy_wh"]
    assert checked.energy_wh is None
    assert checked.charge_starts == 13
    highest = glitch.highest(good)
    assert highest.energy_wh == 32_981_800.0
    assert highest.charge_starts == 13
    assert good.checked_against(None) == (good, [])
    assert good.highest(None) is good


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (404, None, NotAWallConnectorError),
        (200, "<html>router login</html>", NotAWallConnectorError),
        (200, "[1, 2]", NotAWallConnectorError),
        (200, '{"firmware_version": "1"}', NotAWallConnectorError),
        (500, None, WallConnectorUnavailableError),
    ],
)
async def test_identity_errors(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    status: int,
    body: str | None,
    error: type[Exception],
) -> None:
    if body is None:
        wall_connector.status = status
    else:
        wall_connector.bodies["version"] = body
    client = WallConnectorClient(
        "127.0.0.1", async_get_clientsession(hass), wall_connector.port
    )
    with pytest.raises(error):
        await client.identity()


async def test_offline_is_unavailable(
    hass: HomeAssistant, wall_connector: FakeWallConnector
) -> None:
    wall_connector.online = False
    client = WallConnectorClient(
        "127.0.0.1", async_get_clientsession(hass), wall_connector.port
    )
    with pytest.raises(WallConnectorUnavailableError) as caught:
        await client.vitals(48)
    assert not isinstance(caught.value, NotAWallConnectorError)


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("192.168.1.20", "192.168.1.20"),
        (" WallConnector.local ", "wallconnector.local"),
        ("fe80::1", "fe80::1"),
        ("wc-garage", "wc-garage"),
        ("http://192.168.1.20", None),
        ("192.168.1.20:8080", None),
        ("192.168.1.20/api", None),
        ("user@host", None),
        ("host name", None),
        ("-bad.example", None),
        ("", None),
        ("a" * 64, None),
    ],
)
def test_normalize_host(value: str, host: str | None) -> None:
    assert normalize_host(value) == host


def test_base_address() -> None:
    assert base_address("10.0.0.5") == "10.0.0.5"
    assert base_address("10.0.0.5", 8080) == "10.0.0.5:8080"
    assert base_address("fe80::1") == "[fe80::1]"


def test_fixture_paths_are_real() -> None:
    assert Path(WALL_CONNECTOR_FIXTURES).is_dir()
