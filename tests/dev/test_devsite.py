"""The simulated site of the development Home Assistant, without Home Assistant."""

import pytest

from dev.sim_site.devsite import (
    DAY_S,
    SPIKE_A,
    DevSite,
    clock_text,
    parse_start,
)


def test_loads_the_development_site() -> None:
    site = DevSite.from_yaml(start_clock_s=12 * 3600)
    assert set(site.chargers) == {"garage", "driveway", "carport", "spare"}
    assert {v.spec.charger for v in site.dev_vehicles.values()} == {
        "garage",
        "driveway",
        "carport",
    }
    assert site.time_of_day == "12:00"
    site.advance(90)
    assert site.time_of_day == "12:01"
    assert site.meter.latest is not None
    # Cars start plugged in and draw their current.
    assert site.chargers["garage"].current_a == pytest.approx(48)


def test_vehicle_obeys_commands_after_its_latency() -> None:
    site = DevSite.from_yaml(start_clock_s=12 * 3600)
    car = site.dev_vehicles["Model Y"]
    site.advance(5)
    car.command_current(site.now, 16)
    assert car.shown_current_setting(site.now) == 16  # the app shows it at once
    site.advance(12)
    assert site.chargers["garage"].current_a == pytest.approx(16)
    car.command_charging(site.now, False)
    assert car.shown_charging(site.now) is False
    site.advance(12)
    assert site.chargers["garage"].current_a == 0
    assert car.shown_current_setting(site.now) == 16


def test_outage_spike_and_offline_at_run_time() -> None:
    site = DevSite.from_yaml(start_clock_s=12 * 3600)
    site.advance(10)
    home_l1 = site.last.home_currents["L1"] if site.last else 0
    site.spike = True
    site.advance(2)
    assert site.spike
    assert site.last is not None
    assert site.last.home_currents["L1"] >= home_l1 + SPIKE_A - 5
    site.forced_outage = True
    site.advance(2)
    assert site.last is not None
    assert not site.last.grid_up
    assert site.last.battery_w > 0  # the Powerwall carries the house
    site.set_offline("garage", True)
    assert site.offline("garage")
    site.set_offline("garage", False)
    assert not site.offline("garage")


def test_cars_leave_and_come_back_daily() -> None:
    # Model Y leaves at 07:45 and comes back at 17:30 at 35 %.
    site = DevSite.from_yaml(start_clock_s=7 * 3600 + 44 * 60)
    car = site.dev_vehicles["Model Y"]
    car.soc_pct = 70
    site.advance(120)
    assert not car.plugged
    assert site.chargers["garage"].vehicle is None
    # Commands still reach a car away from home.
    assert site.command_current("garage", 20)
    site.advance(17.5 * 3600 - (7 * 3600 + 46 * 60) + 60)
    assert car.plugged
    assert car.soc_pct == pytest.approx(35, abs=1)


def test_solar_repeats_daily() -> None:
    site = DevSite.from_yaml(start_clock_s=0)
    assert site.solar_w(12 * 3600) > 0
    assert site.solar_w(2 * 3600) == 0
    # Far past the scenario's length, the sun still rises.
    assert site.solar_w(30 * DAY_S + 12 * 3600) > 0


def test_state_survives_a_restart() -> None:
    site = DevSite.from_yaml(start_clock_s=20 * 3600)
    site.dev_vehicles["Model 3"].soc_pct = 77
    site.dev_vehicles["Model 3"].plugged = False
    saved = site.snapshot_state()
    again = DevSite.from_yaml(start_clock_s=saved["clock_s"])
    again.restore_state(saved)
    assert again.time_of_day == "20:00"
    assert again.dev_vehicles["Model 3"].soc_pct == 77
    assert not again.dev_vehicles["Model 3"].plugged


def test_parse_start() -> None:
    assert parse_start("12:30", None, 0) == 12.5 * 3600
    assert parse_start("now", 100, 200) == 200
    assert parse_start("resume", 100, 200) == 100
    assert parse_start("", None, 200) == 200
    with pytest.raises(ValueError, match="HH:MM"):
        parse_start("noon", None, 0)
    assert clock_text(DAY_S + 61) == "00:01"
