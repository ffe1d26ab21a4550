"""Who an overload is charged to, the ceiling, and repeatable results."""

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from hypothesis import given, strategies as st
import pytest

from bench.__main__ import main
from bench.actuator import Actuator
from bench.attribution import CapState, ChargerStep, LimitAttribution
from bench.controllers import CONTROLLERS
from bench.controllers.base import Controller
from bench.observe import Observer
from bench.run import run
from bench.upper_bound import ceiling_kwh, upper_bound_kwh
from simulator import Scenario, load_scenario, scenario_from_dict


class Scripted(Controller):
    """Commands ``PLAN`` (seconds -> amps) to the one car, through the vehicle."""

    name: ClassVar[str] = "scripted"
    PLAN: ClassVar[dict[float, int]] = {}

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        if now in self.PLAN:
            act.set_pilot("wc1", self.PLAN[now])


@pytest.fixture
def scripted(monkeypatch):
    monkeypatch.setitem(CONTROLLERS, "scripted", Scripted)

    def plan(steps: dict[float, int]) -> None:
        monkeypatch.setattr(Scripted, "PLAN", steps)

    return plan


def panel_site(appliances: list[dict] | None = None) -> Scenario:
    return scenario_from_dict(
        {
            "duration": 300,
            "site": {"supply": "split_phase", "main_breaker_a": 60},
            "meter": {"interval": "2s", "delay": "1s"},
            "home": {"base_a": 20, "appliances": appliances or []},
            "chargers": [{"id": "wc1", "breaker_a": 60}],
            "vehicles": [
                {
                    "name": "car",
                    "charger": "wc1",
                    "battery_kwh": 100,
                    "soc": 10,
                    "arrive": 0,
                    "depart": 300,
                    "max_current_a": 48,
                    "initial_setpoint_a": 20,
                    "latency": "10s",
                }
            ],
            "management": {"safety_margin_a": 0},
        }
    )


def test_a_controllers_own_rise_over_the_panel_gets_no_grace(scripted):
    # 20 A home + 48 A car from t = 130 s on a 60 A panel: 8 A over on each
    # leg (two limits), 170 s.
    scripted({0.0: 20, 120.0: 48})
    metrics = run(panel_site(), "scripted").metrics
    assert metrics.self_caused_overload_amp_seconds == pytest.approx(
        2 * 8 * 170, rel=0.01
    )
    assert metrics.overload_amp_seconds == pytest.approx(2 * 8 * 170, rel=0.01)
    assert metrics.flat_grace_overload_amp_seconds == pytest.approx(
        2 * 8 * 165, rel=0.01
    )
    assert metrics.home_only_overload_amp_seconds == 0


def test_the_home_alone_over_the_panel_is_charged_to_nobody(scripted):
    # The car is paused (from t = 11 s); a 50 A load for a minute: 10 A over.
    scripted({1.0: 0})
    oven = {"name": "oven", "current_a": 50, "phases": ["L1", "L2"]}
    oven["windows"] = [{"start": 60, "end": 120}]
    metrics = run(panel_site([oven]), "scripted").metrics
    assert metrics.home_only_overload_amp_seconds == pytest.approx(
        2 * 10 * 60, rel=0.01
    )
    assert metrics.self_caused_overload_amp_seconds == 0
    assert metrics.overload_amp_seconds == 0
    assert metrics.flat_grace_overload_amp_seconds == 0


def test_a_surprise_gets_the_grace_and_episodes_a_second_apart_merge(scripted):
    # The car stays at 20 A; a 25 A load twice, a second apart: 5 A over.
    scripted({0.0: 20})
    load = {"name": "kiln", "current_a": 25, "phases": ["L1", "L2"]}
    load["windows"] = [{"start": 60, "end": 80}, {"start": 81, "end": 101}]
    metrics = run(panel_site([load]), "scripted").metrics
    assert metrics.self_caused_overload_amp_seconds == 0
    assert metrics.max_overload_s == 41  # one episode, not two of 20 s
    # Flat 5 s: 35 of the 40 overloaded seconds, not 30 of two episodes.
    assert metrics.flat_grace_overload_amp_seconds == pytest.approx(
        2 * 5 * 35, rel=0.01
    )
    # Seen at the next meter report (<= 3 s), + 10 s latency + 5 s grace.
    assert 2 * 5 * (40 - 19) <= metrics.overload_amp_seconds <= 2 * 5 * (40 - 16)


SITES = (
    "bench/scenarios/three_phase_single_phase_car.yaml",
    "bench/scenarios/stale_meter.yaml",
)


def short(path: str) -> Scenario:
    scenario = load_scenario(path)
    return replace(scenario, site=replace(scenario.site, duration_s=2 * 3600.0))


@pytest.mark.parametrize("path", SITES)
def test_the_ceiling_is_below_the_bound_and_above_every_safe_controller(path):
    scenario = short(path)
    ceiling = ceiling_kwh(scenario)
    assert ceiling <= upper_bound_kwh(scenario) + 1e-6
    for name in CONTROLLERS:
        metrics = run(scenario, name).metrics
        if metrics.overload_amp_seconds == 0 and metrics.breaker_trips == 0:
            assert metrics.ev_energy_kwh <= ceiling * 1.002, name


def test_pilot_setting_baselines_change_pilots_not_send_commands():
    scenario = short("bench/scenarios/three_phase_single_phase_car.yaml")
    for name in ("tesla", "smartevse"):
        metrics = run(scenario, name).metrics
        assert metrics.commands == 0
        assert metrics.pilot_changes > 0
    assert run(scenario, "ours").metrics.pilot_changes == 0


def test_the_same_scenario_gives_byte_identical_results(tmp_path: Path):
    scenario = "bench/scenarios/two_cars_dryer.yaml"
    outputs = []
    for out in (tmp_path / "a", tmp_path / "b"):
        args = ["--scenario", scenario, "--out", str(out), "--jobs", "1"]
        assert main([*args, "--no-plots"]) == 0
        outputs.append((out / "results.json").read_bytes())
    assert outputs[0] == outputs[1]


@given(
    excesses=st.lists(st.floats(-20, 20), min_size=1, max_size=60),
    drawing=st.lists(st.booleans(), min_size=60, max_size=60),
    seen_every=st.integers(1, 10),
)
def test_the_split_never_charges_more_than_the_excess(excesses, drawing, seen_every):
    attribution = LimitAttribution(lambda c, p: 1.0, latency_s=10.0, merge_s=20.0)
    for now, excess in enumerate(excesses):
        step = ChargerStep("car", True, 32.0, 16.0 if drawing[now] else 0.0, ("L1",))
        own, late, home = attribution.split(
            float(now), excess, CapState(), {"wc": step}
        )
        if now % seen_every == 0:
            attribution.seen(float(now), lambda at, now=now: at < now)
        assert min(own, late, home) >= 0
        assert own + late + home <= max(0.0, excess) + 1e-9
        if not drawing[now]:
            assert own == late == 0  # the home alone: nobody's
