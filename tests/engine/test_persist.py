"""Engine state survives a reload: to a JSON-able dict and back, unchanged."""

import json

from hypothesis import given, settings, strategies as st

from custom_components.tesla_power_mgmt.engine import (
    EngineState,
    evaluate,
    state_from_dict,
    state_to_dict,
)

from .test_properties import NOW, PROPERTY_SETTINGS, at, sites


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(sites(), sites(), st.floats(0, 2000))
def test_state_round_trips_through_json_and_decides_the_same(site, history, elapsed):
    """Any state the engine reaches is stored as strict JSON and read back equal."""
    config, readings = site
    _, earlier = history
    state = EngineState.initial()
    for moment in (NOW - elapsed, NOW - elapsed / 2):
        state = evaluate(config, at(earlier, moment), state, moment).state
    text = json.dumps(state_to_dict(state), allow_nan=False)
    restored = state_from_dict(json.loads(text))
    assert restored == state
    assert evaluate(config, readings, restored, NOW) == evaluate(
        config, readings, state, NOW
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(PROPERTY_SETTINGS, max_examples=200)
@given(JSON)
def test_anything_stored_reads_as_a_state_without_raising(data):
    """Garbage gives the fresh state; it never raises."""
    state = state_from_dict(data)
    assert isinstance(state, EngineState)


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(sites(), st.sampled_from(("pilot_a", "reason", "changed_at", "lag")), JSON)
def test_a_malformed_charger_is_dropped_alone(site, key, value):
    """One charger's memory spoilt: only that charger starts afresh."""
    config, readings = site
    state = evaluate(config, readings, EngineState.initial(), NOW).state
    stored = state_to_dict(state)
    if not stored["chargers"]:
        return
    first = next(iter(stored["chargers"]))
    stored["chargers"][first][key] = value
    restored = state_from_dict(stored)
    for charger_id, memory in state.chargers.items():
        if charger_id != first:
            assert restored.chargers[charger_id] == memory
    if first in restored.chargers:
        assert state_to_dict(restored)["chargers"][first][key] == value


def test_another_version_or_no_dict_is_a_fresh_start():
    assert state_from_dict({"version": 0, "chargers": {}}) == EngineState.initial()
    assert state_from_dict(None) == EngineState.initial()
    assert state_from_dict({"version": 1, "outage_holding": True}) == EngineState(
        outage_holding=True
    )


def _stored_memory(**changes) -> dict:
    memory = {
        "pilot_a": 16,
        "reason": "network_limit",
        "changed_at": 10.0,
        "queue": {"waiting_since": None, "turn_since": 5.0},
        "clocks": {"room_since": None, "rise_since": None},
        "following": {
            "over_since": None,
            "following_since": None,
            "not_following": False,
        },
        "not_drawing": {"below_since": None, "capped_at": None, "cap_a": None},
        "lag": {"rise": None, "fall": None},
    }
    memory.update(changes)
    return {"version": 1, "chargers": {"c0": memory}}


def test_a_cap_or_a_time_that_is_not_a_finite_number_drops_the_charger():
    assert "c0" in state_from_dict(_stored_memory()).chargers
    for bad in (
        {"changed_at": float("nan")},
        {"changed_at": "10"},
        {"not_drawing": {"below_since": None, "capped_at": None, "cap_a": 6.5}},
        {"not_drawing": {"below_since": None, "capped_at": None, "cap_a": True}},
        {"pilot_a": -1},
    ):
        assert state_from_dict(_stored_memory(**bad)) == EngineState.initial()
