"""A Wall Connector's vitals are trusted whole or not at all, and the limits hold.

Every field the engine uses is dropped, nulled, retyped, made non-finite or
put out of range, alone and in generated combinations; each such payload must
make the unit unreadable, and two chargers on a 60 A network or on a 100 A
panel must stay within the limit while one of them reads so.
"""

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    EngineState,
    MeterReading,
    Readings,
    SiteConfig,
    evaluate,
)
from custom_components.tesla_power_mgmt.site_readings import vitals_reading
from custom_components.tesla_power_mgmt.wall_connector import (
    CURRENT_TOLERANCE_FACTOR,
    EVSE_STATES,
    GRID_V,
    IDLE_NOISE_A,
    UnreadableError,
    Vitals,
)

from .common import VITALS_CHARGING_US, real_payload

NAMEPLATE_A = 48
CHARGING: dict[str, Any] = json.loads(real_payload(VITALS_CHARGING_US))
FLAGS = ("contactor_closed", "vehicle_connected")
CURRENTS = ("vehicle_current_a", "currentA_a", "currentB_a", "currentC_a")
REQUIRED = (*FLAGS, "evse_state", "grid_v", *CURRENTS)
DROP = object()
ANY_FIELD = {
    "dropped": DROP,
    "null": None,
    "string": "12",
    "list": [12],
    "object": {},
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
}
BAD = {
    "contactor_closed": {"number": 1, "text": "true"},
    "vehicle_connected": {"number": 0, "text": "false"},
    "evse_state": {"unknown": 5, "fraction": 4.5, "negative": -1, "bool": True},
    "grid_v": {"zero": 0.0, "high": GRID_V[1] + 1, "bool": True},
    **{
        key: {
            "negative": -0.1,
            "above_twice_max": NAMEPLATE_A * CURRENT_TOLERANCE_FACTOR + 0.1,
            "5000_a": 5000.0,
            "huge_int": 10**400,
            "bool": True,
        }
        for key in CURRENTS
    },
}
CASES = [
    (key, kind, value)
    for key in REQUIRED
    for kind, value in {**ANY_FIELD, **BAD[key]}.items()
]


def corrupted(changes: dict[str, object]) -> dict[str, Any]:
    payload = dict(CHARGING)
    for key, value in changes.items():
        if value is DROP:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


@pytest.mark.parametrize(
    ("key", "value"),
    [(key, value) for key, _, value in CASES],
    ids=[f"{key}-{kind}" for key, kind, _ in CASES],
)
def test_every_bad_field_makes_the_unit_unreadable(key: str, value: object) -> None:
    with pytest.raises(UnreadableError, match=key) as caught:
        Vitals.from_payload(corrupted({key: value}), NAMEPLATE_A)
    assert caught.value.payload is not None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        dict.fromkeys(CHARGING),
        {key: str(value) for key, value in CHARGING.items()},
        {key: [value] for key, value in CHARGING.items()},
    ],
    ids=["empty", "all-null", "all-strings", "all-lists"],
)
def test_hollow_payloads_are_unreadable(payload: dict[str, Any]) -> None:
    with pytest.raises(UnreadableError):
        Vitals.from_payload(payload, NAMEPLATE_A)


def test_known_states_and_negative_zero_are_read() -> None:
    for code in EVSE_STATES:
        vitals = Vitals.from_payload(corrupted({"evse_state": code}), 48)
        assert vitals.evse_state == code
    vitals = Vitals.from_payload(
        corrupted({"vehicle_current_a": -0.0, "currentB_a": -0.0}), 48
    )
    assert math.copysign(1.0, vitals.vehicle_current_a) == 1.0
    assert vitals.phase_current_a[1] == 0.0


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(CHARGING)), JSON_VALUES | st.just(DROP), max_size=6
    )
)
def test_trusted_vitals_are_what_the_unit_said_and_in_range(
    changes: dict[str, object],
) -> None:
    payload = corrupted(changes)
    try:
        vitals = Vitals.from_payload(payload, NAMEPLATE_A)
    except UnreadableError:
        return
    assert type(payload["contactor_closed"]) is bool
    assert type(payload["vehicle_connected"]) is bool
    assert vitals.evse_state == payload["evse_state"]
    assert vitals.evse_state in EVSE_STATES
    assert GRID_V[0] <= vitals.grid_v <= GRID_V[1]
    high = NAMEPLATE_A * CURRENT_TOLERANCE_FACTOR
    for key, value in zip(
        CURRENTS, (vitals.vehicle_current_a, *vitals.phase_current_a), strict=True
    ):
        sent = payload[key]
        assert not isinstance(sent, bool)
        assert 0.0 <= sent <= high
        idle = not payload["contactor_closed"] and sent <= IDLE_NOISE_A
        assert value == (0.0 if idle else sent)


# The LIMIT with one unit unreadable ------------------------------------------

VOLTS = 240.0
HOME_A = 40.0
SITES = {
    "two_chargers_60a_network": SiteConfig(
        chargers=(ChargerConfig("a"), ChargerConfig("b")), network_limit_a=60
    ),
    "two_chargers_100a_panel": SiteConfig(
        chargers=(ChargerConfig("a"), ChargerConfig("b")),
        panel_limit_a=100,
        panel_margin_a=2,
    ),
}


def charging(current_a: float) -> dict[str, Any]:
    """What a unit whose vehicle draws ``current_a`` says."""
    return corrupted(
        {
            "vehicle_current_a": current_a,
            "currentA_a": current_a / 2,
            "currentB_a": current_a / 2,
            "currentC_a": current_a / 2,
        }
    )


def reading(charger_id: str, payload: dict[str, Any], at: float) -> Any:
    try:
        vitals: Vitals | None = Vitals.from_payload(payload, NAMEPLATE_A)
    except UnreadableError:
        vitals = None
    return vitals_reading(charger_id, vitals, at, three_phase=False, paused_by_us=False)


def assert_limit_holds_while_b_is_bad(site: str, bad: dict[str, Any]) -> None:
    """A and B charge; then B's unit says ``bad`` for ten minutes.

    B's vehicle keeps drawing the most it was ever allowed (its unit cannot be
    read, so nothing better is known); A follows its pilot. A is never given
    more than what is left once B's draw and the home are counted.
    """
    config = SITES[site]
    state = EngineState.initial()
    pilots = {"a": 0, "b": 0}
    b_draw = 0.0
    for step in range(120):
        now = step * 10.0
        b_bad = step >= 60
        meter = None
        if config.panel_limit_a is not None:
            load_a = HOME_A + pilots["a"] + b_draw
            meter = MeterReading(at=now, power_w=load_a * VOLTS)
        readings = Readings(
            chargers=(
                reading("a", charging(pilots["a"]), now),
                reading("b", bad if b_bad else charging(b_draw), now),
            ),
            meter=meter,
        )
        assert readings.chargers[1].reachable is not b_bad
        decision = evaluate(config, readings, state, now)
        state = decision.state
        pilots = {key: decision.chargers[key].pilot_a for key in pilots}
        b_draw = max(b_draw, pilots["b"]) if b_bad else float(pilots["b"])
        if b_bad:
            assert decision.chargers["b"].reason == "fallback_unreachable"
            if config.network_limit_a is not None:
                assert pilots["a"] + b_draw <= config.network_limit_a
            else:
                assert HOME_A + pilots["a"] + b_draw <= 100 - 2


@pytest.mark.parametrize("site", sorted(SITES))
@pytest.mark.parametrize(
    ("key", "value"),
    [(key, value) for key, _, value in CASES],
    ids=[f"{key}-{kind}" for key, kind, _ in CASES],
)
def test_one_bad_field_never_frees_current(site: str, key: str, value: object) -> None:
    assert_limit_holds_while_b_is_bad(site, corrupted({key: value}))


# Each field with a value that is bad for that field (5 is a bad state, a good
# current): a dictionary of field -> one of its own bad values.
BAD_FIELDS = st.sets(st.sampled_from(REQUIRED), min_size=1).flatmap(
    lambda keys: st.fixed_dictionaries(
        {
            key: st.sampled_from([v for k, _, v in CASES if k == key])
            for key in sorted(keys)
        }
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    site=st.sampled_from(sorted(SITES)),
    broken=BAD_FIELDS,
    noise=st.dictionaries(
        st.sampled_from(sorted(set(CHARGING) - set(REQUIRED))),
        JSON_VALUES | st.just(DROP),
        max_size=4,
    ),
)
def test_generated_bad_payloads_never_free_current(
    site: str, broken: dict[str, object], noise: dict[str, object]
) -> None:
    """Any payload with a bad field the engine uses, whatever else it holds."""
    bad = corrupted({**noise, **broken})
    with pytest.raises(UnreadableError):
        Vitals.from_payload(bad, NAMEPLATE_A)
    assert_limit_holds_while_b_is_bad(site, bad)
