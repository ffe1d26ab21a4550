"""The site steps deterministically and its meter, Powerwall and loads behave."""

import pytest

from simulator import Site, load_scenario, scenario_from_dict
from simulator.scenario import parse_duration


def test_same_seed_same_run(make_site):
    def run(seed: int) -> list[tuple[float, ...]]:
        site = make_site(seed=seed, home={"base_a": 5, "noise_a": 2})
        return [tuple(site.step().grid_currents.values()) for _ in range(600)]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_grid_current_is_home_plus_ev_minus_solar(make_site):
    site = make_site(
        home={"base_a": {"L1": 5, "L2": 3}},
        solar={"peak_kw": 4.8, "sunrise": "06:00", "sunset": "18:00"},
    )
    snapshot = site.step()
    solar_each_leg = snapshot.solar_w / 240
    assert snapshot.grid_currents["L1"] == pytest.approx(5 + 32 - solar_each_leg)
    assert snapshot.grid_currents["L2"] == pytest.approx(3 + 32 - solar_each_leg)


def test_meter_reports_late_and_goes_stale(make_site):
    site = make_site(
        meter={
            "interval": "2s",
            "delay": "3s",
            "stale": [{"start": "17:01", "duration": "1m"}],
        }
    )
    site.advance(2)
    assert site.meter.latest is None  # first sample not delivered yet
    site.advance(58)
    reading = site.meter.latest
    assert reading is not None
    assert reading.reported_at - reading.measured_at == pytest.approx(3, abs=1)
    site.advance(60)
    assert site.meter.latest.reported_at < 61  # silent during the stale minute
    site.advance(10)
    assert site.meter.latest.reported_at > 120


def test_appliance_cycles_inside_its_window(make_site):
    site = make_site(
        home={
            "appliances": [
                {
                    "kind": "dryer",
                    "phases": ["L1", "L2"],
                    "windows": [{"start": "17:10", "duration": "30m"}],
                }
            ]
        }
    )
    site.advance(599)
    assert site.step().home_currents["L1"] == 0
    assert site.step().home_currents["L1"] == 24.0
    site.advance(419)  # 420 s into a 600 s cycle at 70 % duty
    assert site.step().home_currents["L2"] == 0  # thermostat off part of the cycle


def outage_site(**overrides: object) -> Site:
    raw: dict[str, object] = {
        "name": "outage",
        "start": "12:00",
        "duration": "2h",
        "site": {
            "supply": "three_phase",
            "main_breaker_a": 35,
            "backup_phases": ["L1"],
        },
        "home": {"base_a": {"L1": 4, "L2": 4, "L3": 4}},
        "chargers": [{"id": "wc1", "firmware": "eu_23.24.3", "breaker_a": 16}],
        "vehicles": [
            {
                "name": "car",
                "charger": "wc1",
                "battery_kwh": 60,
                "soc": 30,
                "depart": "14:00",
                "max_current_a": 16,
                "phases": 3,
            }
        ],
        "powerwall": {
            "capacity_kwh": 13.5,
            "soc": 50,
            "max_discharge_kw": 5,
            "outages": [{"start": "12:30", "duration": "30m"}],
        },
    }
    raw.update(overrides)
    return Site(scenario_from_dict(raw).site)


def test_outage_islands_on_backup_phases_and_drains_the_powerwall():
    site = outage_site()
    site.advance(1800)
    assert site.last is not None
    assert site.last.grid_up
    soc_before = site.powerwall.soc_pct
    snapshot = site.step()
    assert not snapshot.grid_up
    assert snapshot.grid_currents == {"L1": 0, "L2": 0, "L3": 0}
    assert snapshot.charger_phase_currents["wc1"] == {
        "L1": 16.0
    }  # a 3-phase car on L1 only
    assert snapshot.home_currents["L2"] == 0  # unbacked phase is dark
    assert snapshot.battery_w == pytest.approx((4 + 16) * 230)
    assert site.powerwall.soc_pct < soc_before
    site.advance(1800)
    assert site.step().grid_up


def test_surplus_solar_charges_the_powerwall_when_islanded():
    site = outage_site(
        vehicles=[], solar={"peak_kw": 8, "sunrise": "06:00", "sunset": "18:00"}
    )
    site.advance(1801)
    snapshot = site.step()
    assert snapshot.battery_w < 0


def test_empty_powerwall_means_blackout():
    site = outage_site(
        powerwall={
            "capacity_kwh": 1,
            "soc": 1,
            "outages": [{"start": "12:00", "duration": "1h"}],
        }
    )
    site.advance(600)
    snapshot = site.step()
    assert snapshot.blackout
    assert snapshot.charger_currents["wc1"] == 0


def test_times_of_day_roll_past_midnight_and_durations_parse():
    scenario = scenario_from_dict(
        {
            "start": "17:00",
            "duration": "14h",
            "site": {"supply": "split_phase"},
            "chargers": [{"id": "wc1"}],
            "vehicles": [
                {
                    "name": "c",
                    "charger": "wc1",
                    "battery_kwh": 50,
                    "soc": 20,
                    "arrive": "18:00",
                    "depart": "07:00",
                    "max_current_a": 32,
                }
            ],
        }
    )
    vehicle = scenario.site.vehicles[0]
    assert (vehicle.arrival_s, vehicle.departure_s) == (3600, 14 * 3600)
    assert parse_duration("1h30m") == 5400
    assert parse_duration(90) == 90
    with pytest.raises(ValueError, match="duration"):
        parse_duration("soon")


def test_unknown_keys_are_errors():
    with pytest.raises(ValueError, match="unknown keys"):
        scenario_from_dict({"chargers": [{"id": "wc1", "breaker": 40}]})
    with pytest.raises(ValueError, match="unknown"):
        scenario_from_dict({"chargerz": []})


def test_loads_a_yaml_file(tmp_path):
    path = tmp_path / "evening.yaml"
    path.write_text(
        "start: '18:00'\nduration: 1h\n"
        "site: {supply: three_phase, main_breaker_a: 25}\n"
        "chargers: [{id: wc1}]\n"
    )
    scenario = load_scenario(path)
    assert scenario.site.name == "evening"
    assert Site(scenario.site).chargers["wc1"].max_current_a == 32
