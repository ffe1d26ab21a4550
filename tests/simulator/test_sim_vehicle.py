"""The vehicle model obeys its limits, its latency, its taper and its schedule."""

from hypothesis import given, settings, strategies as st
import pytest

from simulator.vehicle import Vehicle, VehicleSpec

VOLTS_1P = 240.0


def spec(**overrides: object) -> VehicleSpec:
    values: dict[str, object] = {
        "name": "car",
        "charger": "wc1",
        "battery_kwh": 60.0,
        "soc_pct": 40.0,
        "target_soc_pct": 80.0,
        "arrival_s": 0.0,
        "departure_s": 36_000.0,
        "max_current_a": 32,
        "command_latency_s": 10.0,
    }
    values.update(overrides)
    return VehicleSpec(**values)  # type: ignore[arg-type]


def run(
    vehicle: Vehicle, start: float, seconds: int, pilot: float = 48.0
) -> list[float]:
    return [vehicle.step(start + t, 1.0, pilot, VOLTS_1P) for t in range(seconds)]


def test_draws_no_more_than_its_own_max_or_the_pilot():
    vehicle = Vehicle(spec(max_current_a=32))
    assert max(run(vehicle, 0, 10, pilot=48)) == 32
    assert max(run(vehicle, 10, 10, pilot=16)) == 16


def test_command_takes_effect_only_after_its_latency():
    vehicle = Vehicle(spec(command_latency_s=20))
    run(vehicle, 0, 5)
    vehicle.command_current(5.0, 10)
    drawn = run(vehicle, 5, 30)
    assert drawn[:20] == [32.0] * 20
    assert drawn[20:] == [10.0] * 10


def test_charging_switch_and_zero_amps_stop_the_charge():
    vehicle = Vehicle(spec(command_latency_s=5))
    vehicle.command_charging(0.0, on=False)
    assert run(vehicle, 0, 10)[5:] == [0.0] * 5
    vehicle.command_charging(10.0, on=True)
    vehicle.command_current(10.0, 0)
    assert run(vehicle, 10, 10)[5:] == [0.0] * 5


def test_under_five_amps_is_unreliable_and_charges_at_five():
    vehicle = Vehicle(spec(command_latency_s=1))
    vehicle.command_current(0.0, 3)
    assert run(vehicle, 0, 5)[-1] == 5.0


def test_a_vehicle_that_ignores_commands_keeps_its_setpoint():
    vehicle = Vehicle(spec(ignores_commands=True, command_latency_s=1))
    vehicle.command_current(0.0, 6)
    vehicle.command_charging(0.0, on=False)
    assert run(vehicle, 0, 10)[-1] == 32.0
    assert vehicle.commands_sent == 2


def test_tapers_near_full_and_stops_at_target():
    vehicle = Vehicle(
        spec(soc_pct=84.0, target_soc_pct=100.0, taper_start_pct=85.0, battery_kwh=10.0)
    )
    drawn = run(vehicle, 0, 3 * 3600)
    assert drawn[0] == 32.0
    tapering = [a for a in drawn if 0 < a < 32]
    assert tapering == sorted(tapering, reverse=True)  # falls as it fills
    assert vehicle.soc_pct == pytest.approx(100.0, abs=0.01)
    assert drawn[-1] == 0.0


def test_charges_only_between_arrival_and_departure():
    vehicle = Vehicle(spec(arrival_s=100.0, departure_s=200.0))
    drawn = run(vehicle, 0, 300)
    assert drawn[:100] == [0.0] * 100
    assert all(a > 0 for a in drawn[100:200])
    assert drawn[200:] == [0.0] * 100


def test_energy_and_state_of_charge_agree():
    vehicle = Vehicle(spec())
    run(vehicle, 0, 3600)
    assert vehicle.energy_kwh == pytest.approx(32 * 240 / 1000)
    assert vehicle.soc_pct == pytest.approx(40 + 100 * vehicle.energy_kwh / 60)


@settings(max_examples=60, deadline=None)
@given(
    commands=st.lists(
        st.tuples(st.integers(0, 600), st.integers(0, 80), st.booleans()), max_size=10
    ),
    pilots=st.lists(st.floats(0, 48), min_size=1, max_size=5),
    max_current=st.integers(6, 48),
)
def test_never_exceeds_its_limits(commands, pilots, max_current):
    vehicle = Vehicle(spec(max_current_a=max_current, arrival_s=0.0, departure_s=500.0))
    schedule = sorted(commands)
    for t in range(700):
        while schedule and schedule[0][0] <= t:
            _, amps, on = schedule.pop(0)
            vehicle.command_current(float(t), amps)
            vehicle.command_charging(float(t), on)
        pilot = pilots[t % len(pilots)]
        drawn = vehicle.step(float(t), 1.0, pilot, VOLTS_1P)
        assert 0.0 <= drawn <= min(max_current, pilot)
        if t >= 500:
            assert drawn == 0.0
    assert vehicle.soc_pct <= 100.0


def test_rejects_impossible_specs():
    with pytest.raises(ValueError, match="phases"):
        spec(phases=2)
    with pytest.raises(ValueError, match="departure"):
        spec(arrival_s=10.0, departure_s=5.0)
