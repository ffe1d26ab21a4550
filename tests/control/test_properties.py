"""Properties of the control loop over generated vehicles, decisions and states.

Each asserts a limit: no value above the engine's pilot (so the group's and
the panel's limits the pilots fit are kept), none outside the entity's range
or under 5 A, none raised on stop, nothing sent twice, backoff bounded.
"""

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.tesla_power_mgmt.control import (
    ControlConfig,
    ControlState,
    CurrentNumber,
    Outcome,
    PausedBy,
    SetCharging,
    SetCurrent,
    VehicleInput,
    VehicleState,
    delay_s,
    on_stop,
    plan,
    settle,
)
from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    EngineState,
    LimitReason,
    MeterReading,
    Readings,
    SiteConfig,
    evaluate,
    site_fallback_limit,
)

from .helpers import CONFIG, choice, decision, run

PROPERTIES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
REASONS = st.sampled_from(list(LimitReason))


@st.composite
def numbers(draw: st.DrawFn) -> CurrentNumber:
    minimum = draw(st.sampled_from((0, 0, 1, 5, 6)))
    maximum = draw(st.integers(minimum, 80))
    value = draw(st.none() | st.integers(0, 80).map(float))
    return CurrentNumber(value, minimum, maximum, 1)


@st.composite
def vehicles(draw: st.DrawFn, charger_id: str) -> VehicleInput:
    return VehicleInput(
        charger_id=charger_id,
        number=draw(st.none() | numbers()),
        switch_on=draw(st.none() | st.booleans()),
        plugged_in=draw(st.none() | st.booleans()),
        measured_a=draw(st.floats(0, 80)),
    )


@st.composite
def memories(draw: st.DrawFn) -> VehicleState:
    return VehicleState(
        sent_a=draw(st.none() | st.integers(0, 80)),
        switch_sent=draw(st.none() | st.booleans()),
        paused_by=draw(st.none() | st.sampled_from(list(PausedBy))),
        switch_seen=draw(st.none() | st.booleans()),
        last_rise_at=draw(st.floats(-100, 100)),
    )


@st.composite
def scenes(draw: st.DrawFn) -> tuple:
    count = draw(st.integers(1, 6))
    ids = [f"c{i}" for i in range(count)]
    made = decision(
        *(
            choice(i, draw(st.sampled_from((0, 6, 7, 16, 32, 48))), draw(REASONS))
            for i in ids
        )
    )
    cars = {i: draw(vehicles(i)) for i in ids}
    state = ControlState({i: draw(memories()) for i in ids})
    config = ControlConfig(allow_below_min_command=draw(st.booleans()))
    return made, cars, state, config


@PROPERTIES
@given(scenes(), st.floats(0, 1000))
def test_never_above_the_pilot_nor_outside_the_entity_nor_below_5_a(
    scene: tuple, now: float
) -> None:
    made, cars, state, config = scene
    planned = plan(made, cars, state, now, config)
    for charger_id, commands in planned.commands.items():
        car = cars[charger_id]
        pilot = made.chargers[charger_id].pilot_a
        assert car.plugged_in is not False
        for command in commands:
            if not isinstance(command, SetCurrent):
                continue
            number = car.number
            assert number is not None
            assert number.lowest_a <= command.value_a <= number.highest_a
            if command.pauses:
                assert command.value_a == number.lowest_a
                continue
            assert command.value_a <= pilot
            assert command.value_a >= config.min_command_a or (
                config.allow_below_min_command and command.repeat == 2
            )


@PROPERTIES
@given(scenes(), st.floats(0, 1000))
def test_a_unit_not_read_is_never_raised_and_the_users_pause_never_undone(
    scene: tuple, now: float
) -> None:
    made, cars, state, config = scene
    planned = plan(made, cars, state, now, config)
    for charger_id, commands in planned.commands.items():
        before = state.vehicle(charger_id)
        turned_on = SetCharging(charger_id, on=True) in commands
        if turned_on:
            assert before.paused_by is PausedBy.US or (
                before.switch_seen is False and cars[charger_id].switch_on
            )
        if cars[charger_id].plugged_in is None:
            assert not turned_on
            for command in commands:
                if isinstance(command, SetCurrent) and not command.pauses:
                    assert not command.resumes
                    known = before.sent_a
                    if known is None and cars[charger_id].number is not None:
                        known = cars[charger_id].number.value  # type: ignore[union-attr]
                    assert known is not None
                    # Equal re-asserts a setting the car was seen not to follow.
                    assert command.value_a <= known


@PROPERTIES
@given(scenes(), st.floats(0, 1000))
def test_nothing_is_sent_when_nothing_changed(scene: tuple, now: float) -> None:
    made, cars, state, config = scene
    # A first round, then one for what pacing held back; then nothing more.
    for step in (0, 10_000):
        _, state, cars = run(made, cars, state, now + step, config)
    for step in (20_000, 30_000):
        again, state, cars = run(made, cars, state, now + step, config)
        assert again.commands == {}


@st.composite
def sites(draw: st.DrawFn) -> tuple:
    count = draw(st.integers(1, 6))
    chargers = tuple(
        ChargerConfig(f"c{i}", draw(st.integers(6, 48))) for i in range(count)
    )
    network = draw(st.none() | st.integers(6 * count, 48 * count).map(float))
    config = SiteConfig(
        chargers, network_limit_a=network, panel_limit_a=draw(st.floats(40, 400))
    )
    home_a = draw(st.floats(0, 120))
    readings = Readings(
        chargers=tuple(
            ChargerReading(c.charger_id, 0.0, True, True, True, (0.0,))
            for c in chargers
        ),
        meter=MeterReading(at=0.0, phase_current_a=(home_a,)),
    )
    maxima = {c.charger_id: draw(st.integers(0, 48)) for c in chargers}
    return config, readings, home_a, maxima


@PROPERTIES
@given(sites())
def test_what_is_written_keeps_the_group_and_the_panel(site: tuple) -> None:
    config, readings, home_a, maxima = site
    made = evaluate(config, readings, EngineState.initial(), 0.0)
    cars = {
        i: VehicleInput(i, CurrentNumber(None, 0, top, 1), True, True, 0.0)
        for i, top in maxima.items()
    }
    _, state, _ = run(made, cars, ControlState(), 0.0)
    written = [
        0 if state.paused_by_us(i) else (state.vehicle(i).sent_a or 0) for i in cars
    ]
    if config.network_limit_a is not None:
        assert sum(written) <= config.network_limit_a
    if home_a <= config.panel_limit_a - config.panel_margin_a:  # type: ignore[operator]
        assert (
            sum(written) <= config.panel_limit_a - config.panel_margin_a - home_a + 1e-6
        )  # type: ignore[operator]


@PROPERTIES
@given(sites(), st.lists(memories(), min_size=6, max_size=6), st.data())
def test_stop_never_raises_and_keeps_paused_cars_paused(
    site: tuple, memory: list[VehicleState], data: st.DataObject
) -> None:
    config = site[0]
    ids = [c.charger_id for c in config.chargers]
    state = ControlState(dict(zip(ids, memory, strict=False)))
    cars = {i: data.draw(vehicles(i)) for i in ids}
    last = on_stop(config, cars, state, CONFIG)
    for charger in config.chargers:
        i = charger.charger_id
        commands = last.get(i, ())
        assert SetCharging(i, on=True) not in commands
        before = state.vehicle(i)
        if before.paused_by is not None or cars[i].switch_on is False:
            assert commands == ()
        for command in commands:
            if isinstance(command, SetCurrent):
                held = before.sent_a
                if held is None:
                    held = int(cars[i].number.value)  # type: ignore[union-attr,arg-type]
                assert command.value_a < held
                assert command.value_a <= site_fallback_limit(config, charger)


@PROPERTIES
@given(st.integers(1, 10_000), st.floats(1, 60), st.floats(60, 3600))
def test_backoff_is_bounded(failures: int, base: float, cap: float) -> None:
    config = ControlConfig(backoff_base_s=base, backoff_cap_s=cap)
    assert base <= delay_s(failures, config) <= cap
    assert delay_s(failures + 1, config) >= delay_s(failures, config)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.1, 30), min_size=1, max_size=400))
def test_a_failing_vehicle_is_called_a_bounded_number_of_times(
    gaps: list[float],
) -> None:
    cars = {"c0": VehicleInput("c0", CurrentNumber(32, 0, 48, 1), True, True, 32.0)}
    state, calls, now = ControlState(), 0, 0.0
    for gap in gaps:
        planned = plan(decision(choice(pilot_a=16)), cars, state, now, CONFIG)
        state = planned.state
        if "c0" in planned.commands:
            calls += 1
            failed = planned.commands["c0"][0]
            state = settle(state, Outcome("c0", (), failed), now, CONFIG)
        now += gap
    # At 0, 10, 30, 70, 150, 310 s, then every 300 s at most.
    assert calls <= 6 + now / CONFIG.backoff_cap_s
