"""Each rule of the control loop on its own."""

from dataclasses import replace
import math

import pytest

from custom_components.tesla_power_mgmt.control import (
    ControlConfig,
    ControlState,
    CurrentNumber,
    Outcome,
    PausedBy,
    SetCharging,
    SetCurrent,
    VehicleState,
    current_number,
    delay_s,
    from_stored,
    on_stop,
    plan,
    settle,
    to_stored,
)
from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    LimitReason,
    SiteConfig,
)

from .helpers import CONFIG, choice, decision, run, switches, values, vehicle


def test_writes_the_pilot_once_and_nothing_when_nothing_changed() -> None:
    cars = {"c0": vehicle(value=32)}
    first, state, cars = run(decision(choice(pilot_a=16)), cars, ControlState(), 0)
    assert values(first) == [16]
    again, _, _ = run(decision(choice(pilot_a=16)), cars, state, 100)
    assert again.commands == {}


def test_a_value_the_number_shows_and_the_car_draws_is_not_written() -> None:
    cars = {"c0": vehicle(value=16, measured_a=15.6)}
    planned, _, _ = run(decision(choice(pilot_a=16)), cars, ControlState(), 0)
    assert planned.commands == {}


def test_the_number_state_alone_proves_nothing() -> None:
    # The number shows 16 (optimistic, or a 600 s old poll); the unit measures 30.
    cars = {"c0": vehicle(value=16, measured_a=30)}
    planned, _, _ = run(decision(choice(pilot_a=16)), cars, ControlState(), 0)
    assert values(planned) == [16]


def test_clamped_to_the_entity_maximum_and_reported() -> None:
    cars = {"c0": vehicle(value=10, maximum=32)}
    planned, state, cars = run(decision(choice(pilot_a=40)), cars, ControlState(), 0)
    assert values(planned) == [32]
    assert planned.limited_by_vehicle == {"c0"}
    # The charger offers less: the maximum moves down, and so does the value.
    cars["c0"] = replace(cars["c0"], number=CurrentNumber(32, 0, 20, 1))
    planned, _, _ = run(decision(choice(pilot_a=40)), cars, state, 1)
    assert values(planned) == [20]


def test_never_below_the_entity_minimum_nor_5_a() -> None:
    cars = {"c0": vehicle(value=16, minimum=10)}
    planned, _, _ = run(decision(choice(pilot_a=6)), cars, ControlState(), 0)
    assert values(planned) == []
    assert switches(planned) == [False]
    cars = {"c0": vehicle(value=16, maximum=4)}
    planned, _, _ = run(decision(choice(pilot_a=6)), cars, ControlState(), 0)
    assert switches(planned) == [False]
    assert planned.limited_by_vehicle == {"c0"}


def test_below_5_a_only_when_opted_in_and_then_sent_twice() -> None:
    config = ControlConfig(allow_below_min_command=True)
    cars = {"c0": vehicle(value=16, maximum=4)}
    planned = plan(decision(choice(pilot_a=6)), cars, ControlState(), 0, config)
    assert planned.commands["c0"] == (SetCurrent("c0", 4, repeat=2),)


def test_pause_and_resume_through_the_switch() -> None:
    cars = {"c0": vehicle(value=16)}
    paused, state, cars = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    assert paused.commands["c0"] == (SetCharging("c0", on=False),)
    assert state.paused_by_us("c0")
    resumed, state, _ = run(decision(choice(pilot_a=10)), cars, state, 100)
    assert resumed.commands["c0"] == (SetCurrent("c0", 10), SetCharging("c0", on=True))
    assert not state.paused_by_us("c0")


def test_pause_and_resume_through_the_numbers_minimum() -> None:
    cars = {"c0": vehicle(value=16, switch_on=None)}
    paused, state, cars = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    assert paused.commands["c0"] == (SetCurrent("c0", 0, pauses=True),)
    assert state.paused_by_us("c0")
    resumed, state, _ = run(decision(choice(pilot_a=8)), cars, state, 100)
    assert resumed.commands["c0"] == (SetCurrent("c0", 8, resumes=True),)
    assert not state.paused_by_us("c0")


@pytest.mark.parametrize("switch_on", [True, None])
def test_a_car_we_resumed_still_asks_while_it_starts(switch_on: bool | None) -> None:
    cars = {"c0": vehicle(value=16, switch_on=switch_on)}
    _, state, cars = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    assert state.ours_to_start("c0", 50, CONFIG)
    _, state, _ = run(decision(choice(pilot_a=10)), cars, state, 100)
    assert not state.paused_by_us("c0")
    # Its contactor closes seconds later: until then it is ours to start.
    assert state.ours_to_start("c0", 100 + CONFIG.start_grace_s - 1, CONFIG)
    assert not state.ours_to_start("c0", 100 + CONFIG.start_grace_s, CONFIG)


def test_a_car_never_paused_is_not_ours_to_start() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, _ = run(decision(choice(pilot_a=20)), cars, ControlState(), 0)
    assert not state.ours_to_start("c0", 0, CONFIG)


def test_a_car_that_cannot_be_paused_is_reported() -> None:
    cars = {"c0": vehicle(value=16, minimum=5, switch_on=None)}
    planned, _, _ = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    assert planned.cannot_pause == {"c0"}
    assert values(planned) == [5]


def test_a_switch_state_that_lags_our_command_is_not_sent_again() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, _ = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    # The integration still shows the switch on (it polls the car later).
    again, state, _ = run(decision(choice(pilot_a=0)), cars, state, 30)
    assert again.commands == {}
    assert state.paused_by_us("c0")


def test_a_car_the_user_paused_is_never_switched_on() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, _ = run(decision(choice(pilot_a=16)), cars, ControlState(), 0)
    cars = {"c0": vehicle(value=16, switch_on=False)}
    planned, state, _ = run(decision(choice(pilot_a=16)), cars, state, 100)
    assert state.vehicle("c0").paused_by is PausedBy.USER
    assert switches(planned) == []
    # The user switches it back on: it is managed again.
    cars = {"c0": vehicle(value=16, switch_on=True)}
    _, state, _ = run(decision(choice(pilot_a=16)), cars, state, 200)
    assert state.vehicle("c0").paused_by is None


def test_rises_are_spaced_and_falls_act_at_once() -> None:
    cars = {"c0": vehicle(value=10)}
    _, state, cars = run(decision(choice(pilot_a=12)), cars, ControlState(), 0)
    held, state, cars = run(decision(choice(pilot_a=20)), cars, state, 5)
    assert held.commands == {}
    fall, state, cars = run(decision(choice(pilot_a=8)), cars, state, 6)
    assert values(fall) == [8]
    rise, _, _ = run(decision(choice(pilot_a=20)), cars, state, 10)
    assert values(rise) == [20]


def test_no_command_to_a_car_not_plugged_in_and_its_session_forgotten() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, _ = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    gone = {"c0": vehicle(value=16, plugged_in=False)}
    planned, state, _ = run(decision(choice(pilot_a=16)), gone, state, 100)
    assert planned.commands == {}
    assert state.vehicle("c0").paused_by is None
    assert state.vehicle("c0").sent_a is None


def test_a_unit_not_read_lets_only_decreases_through() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, _ = run(decision(choice(pilot_a=16)), cars, ControlState(), 0)
    blind = {"c0": vehicle(value=16, plugged_in=None)}
    up, state, _ = run(decision(choice(pilot_a=24)), blind, state, 100)
    assert up.commands == {}
    down, _, _ = run(decision(choice(pilot_a=12)), blind, state, 101)
    assert values(down) == [12]


def test_no_more_commands_while_some_are_running() -> None:
    cars = {"c0": vehicle(value=32)}
    first = plan(decision(choice(pilot_a=16)), cars, ControlState(), 0, CONFIG)
    second = plan(decision(choice(pilot_a=8)), cars, first.state, 1, CONFIG)
    assert second.commands == {}
    done = settle(second.state, Outcome("c0", first.commands["c0"]), 2, CONFIG)
    third = plan(decision(choice(pilot_a=8)), cars, done, 2, CONFIG)
    assert values(third) == [8]


def test_failures_back_off_and_raise_a_repair_and_the_value_is_not_taken() -> None:
    cars = {"c0": vehicle(value=32)}
    state = ControlState()
    calls: list[float] = []
    for second in range(300):
        planned = plan(decision(choice(pilot_a=16)), cars, state, second, CONFIG)
        state = planned.state
        if "c0" in planned.commands:
            calls.append(second)
            command = planned.commands["c0"][0]
            state = settle(state, Outcome("c0", (), failed=command), second, CONFIG)
    assert calls == [0, 10, 30, 70, 150]
    assert state.vehicle("c0").sent_a is None
    assert plan(decision(choice()), cars, state, 180, CONFIG).failing == {"c0"}
    ok = settle(state, Outcome("c0", (SetCurrent("c0", 16),)), 310, CONFIG)
    assert ok.vehicle("c0").backoff.failures == 0
    assert plan(decision(choice()), cars, ok, 311, CONFIG).failing == frozenset()


def test_backoff_is_capped() -> None:
    assert [delay_s(n, CONFIG) for n in (1, 2, 3, 6, 7, 1000)] == [
        10,
        20,
        40,
        300,
        300,
        300,
    ]


def test_released_vehicles_get_only_our_pause_undone() -> None:
    cars = {"c0": vehicle(value=16)}
    _, state, cars = run(decision(choice(pilot_a=0)), cars, ControlState(), 0)
    released = decision(choice(pilot_a=0, reason=LimitReason.NOT_MANAGED))
    planned, state, cars = run(released, cars, state, 100)
    assert switches(planned) == [True]
    planned, _, _ = run(released, cars, state, 200)
    assert planned.commands == {}
    off = plan(decision(choice(pilot_a=0)), cars, state, 300, CONFIG, enabled=False)
    assert off.commands == {}


SITE = SiteConfig(chargers=(ChargerConfig("c0", 48),), panel_limit_a=100)


def test_stop_lowers_to_the_fallback_never_raises() -> None:
    grouped = replace(SITE, network_limit_a=24.0)
    state = ControlState({"c0": VehicleState(sent_a=40)})
    assert on_stop(grouped, {"c0": vehicle(value=40)}, state, CONFIG) == {
        "c0": (SetCurrent("c0", 24),)
    }
    held = ControlState({"c0": VehicleState(sent_a=18)})
    assert on_stop(SITE, {"c0": vehicle(value=18)}, held, CONFIG) == {}


def test_stop_leaves_a_paused_car_paused_and_an_unknown_one_alone() -> None:
    paused = ControlState({"c0": VehicleState(sent_a=16, paused_by=PausedBy.US)})
    assert on_stop(SITE, {"c0": vehicle(value=16)}, paused, CONFIG) == {}
    off = {"c0": vehicle(value=16, switch_on=False)}
    assert on_stop(SITE, off, ControlState(), CONFIG) == {}
    unknown = {"c0": vehicle(value=None)}
    assert on_stop(SITE, unknown, ControlState(), CONFIG) == {}
    unplugged = {"c0": vehicle(value=40, plugged_in=False)}
    assert on_stop(replace(SITE, network_limit_a=24.0), unplugged, paused, CONFIG) == {}


def test_stop_pauses_when_the_fallback_is_below_what_the_car_accepts() -> None:
    tight = replace(SITE, network_limit_a=24.0)
    cars = {"c0": vehicle(value=30, minimum=25)}
    assert on_stop(tight, cars, ControlState(), CONFIG) == {
        "c0": (SetCharging("c0", on=False),)
    }


def test_stored_state_round_trips_and_bad_data_is_dropped() -> None:
    state = ControlState(
        {
            "a": VehicleState(sent_a=16, paused_by=PausedBy.US, last_rise_at=5),
            "b": VehicleState(),
            "gone": VehicleState(sent_a=6),
        }
    )
    restored = from_stored(to_stored(state), frozenset({"a", "b"}))
    assert restored.vehicles == {"a": VehicleState(sent_a=16, paused_by=PausedBy.US)}
    bad = {"a": {"sent_a": "16", "paused_by": "martians"}, "b": [], "c": {}}
    assert from_stored(bad, frozenset({"a", "b"})).vehicles == {"a": VehicleState()}
    assert from_stored(None, frozenset({"a"})) == ControlState()
    assert from_stored({"a": {"sent_a": True}}, frozenset("a")).vehicles == {
        "a": VehicleState()
    }


def test_entity_values_are_accepted_only_when_finite() -> None:
    assert current_number("16", 0, 48, 1) == CurrentNumber(16, 0, 48, 1)
    assert current_number("unknown", 0, 48, None) == CurrentNumber(None, 0, 48, 1)
    assert current_number("nan", 0, 48, 0) == CurrentNumber(None, 0, 48, 1)
    assert current_number("16", None, 48, 1) is None
    assert current_number("16", 0, math.inf, 1) is None
    assert current_number("16", 20, 10, 1) is None
    assert current_number("16", -1, 10, 1) is None
    assert current_number(True, 0, 48, 1) == CurrentNumber(None, 0, 48, 1)


def test_steps_other_than_one_are_honoured() -> None:
    number = CurrentNumber(10, 0.5, 47.5, 2)
    assert (number.lowest_a, number.highest_a, number.at_or_below(7)) == (2, 46, 6)
