"""Meter and Powerwall values from Home Assistant states, and every real payload."""

import json
import math
from pathlib import Path
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import State
from hypothesis import given, strategies as st
import pytest

from custom_components.tesla_power_mgmt.sources import (
    current_a,
    grid_up,
    percentage,
    power_w,
    unsigned_power_w,
)

from .common import REAL

POWERWALL = REAL / "powerwall"
ISLANDED = {
    "SystemIslandedActive",
    "SystemIslandedReady",
    "SystemTransitionToIsland",
    "SystemTransitionToGrid",
}


def kw(value: float) -> State:
    """What the core powerwall integration shows: kW, rounded to 3 places."""
    return State("sensor.x", str(round(value / 1000, 3)), {"unit_of_measurement": "kW"})


def payload(path: Path) -> Any:
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else text


@pytest.mark.parametrize(
    "path", sorted(POWERWALL.glob("meters_aggregates_*")), ids=lambda p: p.name
)
def test_meters_aggregates(path: Path) -> None:
    data = payload(path)
    if isinstance(data, str):  # the gateway's HTTP 502: the entities go unavailable
        assert data.startswith("HTTP/2 502")
        unavailable = State(
            "sensor.x", STATE_UNAVAILABLE, {"unit_of_measurement": "kW"}
        )
        assert power_w(unavailable, 1e6) is None
        assert unsigned_power_w(unavailable, 1e6) is None
        return
    site = power_w(kw(data["site"]["instant_power"]), 1e6)
    assert site is not None
    assert site.value == pytest.approx(data["site"]["instant_power"], abs=1)
    load = unsigned_power_w(kw(data["load"]["instant_power"]), 1e6)
    assert load is not None
    assert load.value == pytest.approx(data["load"]["instant_power"], abs=1)
    solar = unsigned_power_w(kw(data["solar"]["instant_power"]), 1e6)
    assert solar is not None
    # Night-time noise (-2 W in a real capture) reads as no solar.
    assert solar.value == pytest.approx(max(data["solar"]["instant_power"], 0), abs=1)


@pytest.mark.parametrize("path", sorted(POWERWALL.glob("soe_*")), ids=lambda p: p.name)
def test_state_of_energy(path: Path) -> None:
    data = payload(path)
    if isinstance(data, str):
        assert percentage(State("sensor.x", STATE_UNAVAILABLE)) is None
        return
    state = State(
        "sensor.x", str(round(data["percentage"], 1)), {"unit_of_measurement": "%"}
    )
    sample = percentage(state)
    assert sample is not None
    assert sample.value == pytest.approx(data["percentage"], abs=0.1)


@pytest.mark.parametrize(
    "path", sorted(POWERWALL.glob("grid_status_*")), ids=lambda p: p.name
)
def test_grid_status(path: Path) -> None:
    data = payload(path)
    if isinstance(data, str):
        assert grid_up(State("binary_sensor.x", STATE_UNAVAILABLE)) is None
        return
    status = data["grid_status"]
    up = status not in ISLANDED
    assert status in ISLANDED or status == "SystemGridConnected"
    # As a text sensor with the gateway's own words...
    sample = grid_up(State("sensor.x", status))
    assert sample is not None
    assert sample.value is up
    # ...and as the core integration's binary sensor (on = connected).
    binary = grid_up(State("binary_sensor.x", "on" if up else "off"))
    assert binary is not None
    assert binary.value is up


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("1500", "W", 1500.0),
        ("1.5", "kW", 1500.0),
        ("-2.5", "kW", -2500.0),
        ("0.002", "MW", 2000.0),
        ("1500000", "mW", 1500.0),
        ("1500", None, None),
        ("1500", "A", None),
        ("abc", "W", None),
        ("inf", "W", None),
        ("2000000", "W", None),
        ("-2000000", "W", None),
    ],
)
def test_power(state: str, unit: str | None, expected: float | None) -> None:
    attributes = {"unit_of_measurement": unit} if unit else {}
    sample = power_w(State("sensor.grid", state, attributes), 1_000_000)
    assert (sample.value if sample else None) == expected


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("12.5", "A", 12.5),
        ("12500", "mA", 12.5),
        ("-1", "A", None),
        ("301", "A", None),
        ("12", "W", None),
        ("unknown", "A", None),
    ],
)
def test_current(state: str, unit: str, expected: float | None) -> None:
    sample = current_a(State("sensor.l1", state, {"unit_of_measurement": unit}), 300)
    assert (sample.value if sample else None) == expected


@pytest.mark.parametrize(
    ("state", "expected"), [("-150", 0.0), ("-250", None), ("400", 400.0)]
)
def test_unsigned_power_noise(state: str, expected: float | None) -> None:
    sample = unsigned_power_w(
        State("sensor.solar", state, {"unit_of_measurement": "W"}), 10_000
    )
    assert (sample.value if sample else None) == expected


@pytest.mark.parametrize("state", ["-1", "101", "full"])
def test_percentage_out_of_range(state: str) -> None:
    assert percentage(State("sensor.pw", state, {"unit_of_measurement": "%"})) is None


def test_missing_entity_and_unknown_status() -> None:
    assert power_w(None, 1.0) is None
    assert grid_up(None) is None
    assert grid_up(State("sensor.grid", "SystemMaintenance")) is None


def test_sample_time_is_last_reported() -> None:
    state = State("sensor.grid", "10", {"unit_of_measurement": "W"})
    sample = power_w(state, 100)
    assert sample is not None
    assert sample.at == state.last_reported_timestamp


UNITS = st.sampled_from(["W", "kW", "MW", "mW", "A", "mA", "%", "", "Wh", "furlongs"])
TEXT = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)


@given(state=TEXT, unit=UNITS, limit=st.floats(min_value=1, max_value=1e7))
def test_only_plausible_numbers_are_trusted(
    state: str, unit: str, limit: float
) -> None:
    """Whatever a sensor says, what is trusted is a finite value within bounds."""
    entity = State("sensor.any", state, {"unit_of_measurement": unit})
    if (power := power_w(entity, limit)) is not None:
        assert math.isfinite(power.value)
        assert abs(power.value) <= limit
    if (unsigned := unsigned_power_w(entity, limit)) is not None:
        assert 0.0 <= unsigned.value <= limit
    if (current := current_a(entity, limit)) is not None:
        assert 0.0 <= current.value <= limit
    if (level := percentage(entity)) is not None:
        assert 0.0 <= level.value <= 100.0
