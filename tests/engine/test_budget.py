"""Panel headroom from the meter, outage budget from the Powerwall, staleness."""

from dataclasses import replace

import pytest

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
    SiteInput,
)

from .helpers import asking, chargers, pilots, reasons, run


def panel_site(**kwargs) -> SiteConfig:
    kwargs.setdefault("chargers", chargers(1))
    return SiteConfig(panel_limit_a=100, panel_margin_a=5, **kwargs)


def test_panel_headroom_is_limit_minus_margin_minus_home_load():
    config = panel_site()
    # Grid 80 A of which 30 A is the EV: home 50 A, headroom 100 - 5 - 50 = 45 A.
    readings = Readings(
        chargers=(asking("c0", current=(30.0,)),),
        meter=MeterReading(at=0, phase_current_a=(80.0,)),
    )
    decision = run(config, readings)
    assert decision.home_load_a == (50.0,)
    assert decision.panel_headroom_a == (45.0,)
    assert decision.available_current_a == (45.0,)
    assert decision.network_current_a == (30.0,)
    assert pilots(decision) == [45]
    assert reasons(decision) == [LimitReason.PANEL_HEADROOM]


def test_export_never_adds_headroom_above_the_panel_limit():
    config = panel_site()
    readings = Readings(
        chargers=(asking("c0"),), meter=MeterReading(at=0, phase_current_a=(-60.0,))
    )
    decision = run(config, readings)
    assert decision.home_load_a == (0.0,)  # shown as none, never negative
    assert decision.panel_headroom_a == (95.0,)
    assert pilots(decision) == [48]


def test_home_load_above_the_panel_limit_leaves_nothing():
    config = panel_site()
    readings = Readings(
        chargers=(asking("c0"),), meter=MeterReading(at=0, phase_current_a=(110.0,))
    )
    decision = run(config, readings)
    assert decision.panel_headroom_a == (-15.0,)
    assert pilots(decision) == [0]
    assert reasons(decision) == [LimitReason.PANEL_HEADROOM]


def test_total_power_on_three_phases_assumes_all_home_load_on_each_phase():
    config = panel_site(
        chargers=(ChargerConfig("c0", 32, phases=(0, 1, 2)),),
        phase_count=3,
        voltage_v=230,
    )
    # 10 A per phase of EV = 6900 W; grid 18400 W: home 11500 W = 50 A at 230 V.
    readings = Readings(
        chargers=(asking("c0", current=(10.0, 10.0, 10.0)),),
        meter=MeterReading(at=0, power_w=18400.0),
    )
    decision = run(config, readings)
    assert decision.home_load_a == pytest.approx((50.0, 50.0, 50.0))
    assert pilots(decision) == [32]
    assert decision.chargers["c0"].reason == LimitReason.POWER_LEVEL


def test_total_power_uses_the_measured_voltage():
    config = panel_site()
    readings = Readings(
        chargers=(asking("c0"),),
        meter=MeterReading(at=0, power_w=12000.0, voltage_v=200.0),
    )
    assert run(config, readings).home_load_a == (60.0,)
    zero_volts = MeterReading(at=0, power_w=12000.0, voltage_v=0.0)
    assert run(config, Readings((asking("c0"),), meter=zero_volts)).home_load_a == (
        50.0,
    )


@pytest.mark.parametrize(
    "meter",
    [
        None,
        MeterReading(at=-31.0, phase_current_a=(10.0,)),
        MeterReading(at=0.0, phase_current_a=(10.0, 10.0, 10.0)),
        MeterReading(at=0.0),
    ],
    ids=["missing", "old", "wrong-phase-count", "empty"],
)
def test_unusable_meter_is_stale_and_caps_at_the_lowest_charging_current(meter):
    config = panel_site(chargers=chargers(2))
    decision = run(config, Readings(chargers=(asking("c0"), asking("c1")), meter=meter))
    assert decision.stale_inputs == {SiteInput.METER}
    assert decision.panel_headroom_a is None
    # After a restart no last pilot is known: one site-level stale budget,
    # 6 A per phase by default, for all of them together.
    assert pilots(decision) == [6, 0]
    assert reasons(decision) == [LimitReason.STALE_INPUT] * 2


def test_meter_within_its_grace_is_held():
    config = panel_site()
    readings = Readings(
        chargers=(asking("c0", at=29.0),),
        meter=MeterReading(at=0.0, phase_current_a=(80.0,)),
    )
    decision = run(config, readings, now=30.0)
    assert not decision.stale_inputs
    # 1 A held back: the reading is 30 s old and no cadence is learned yet.
    assert pilots(decision) == [14]


def test_configured_stale_budget():
    config = panel_site(stale_budget_a=10)
    assert pilots(run(config, Readings(chargers=(asking("c0"),)))) == [10]


def test_meter_shown_without_panel_limit():
    config = SiteConfig(chargers=chargers(1))
    readings = Readings(
        chargers=(asking("c0"),), meter=MeterReading(at=0.0, phase_current_a=(20.0,))
    )
    decision = run(config, readings)
    assert decision.home_load_a == (20.0,)
    assert decision.panel_headroom_a is None
    assert decision.available_current_a == (None,)
    assert pilots(decision) == [48]


# Outage: the table of Tesla's Powerwall-aware charging.

OUTAGE = OutageConfig(
    charging_threshold_pct=50.0,
    hysteresis_pct=5.0,
    share_surplus_solar=True,
    discharge_capability_w=5000.0,
    margin_pct=0.0,  # the arithmetic of the budget; the margin has its own test
)


def outage_site(**kwargs) -> SiteConfig:
    kwargs.setdefault("chargers", chargers(1))
    return SiteConfig(voltage_v=240, outage=OUTAGE, **kwargs)


def powerwall(**kwargs) -> Readings:
    return Readings(
        chargers=(asking("c0"),), powerwall=PowerwallReading(at=0.0, **kwargs)
    )


def test_on_grid_charges_normally():
    decision = run(outage_site(), powerwall(grid_up=True, battery_pct=10.0))
    assert decision.outage_power_w is None
    assert pilots(decision) == [48]
    assert reasons(decision) == [LimitReason.POWER_LEVEL]


def test_above_threshold_low_home_load_charges():
    # 5000 W - 1160 W home + 0 solar = 3840 W = 16 A at 240 V.
    decision = run(
        outage_site(), powerwall(grid_up=False, battery_pct=80.0, site_load_w=1160.0)
    )
    assert decision.outage_power_w == 3840.0
    assert pilots(decision) == [16]
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY]


def test_above_threshold_high_home_load_slows_then_stops():
    slow = run(
        outage_site(), powerwall(grid_up=False, battery_pct=80.0, site_load_w=3320.0)
    )
    assert pilots(slow) == [7]
    stop = run(
        outage_site(), powerwall(grid_up=False, battery_pct=80.0, site_load_w=6000.0)
    )
    assert stop.outage_power_w == 0.0
    assert pilots(stop) == [0]
    assert reasons(stop) == [LimitReason.OUTAGE_BATTERY]


def test_solar_adds_to_the_battery_budget():
    decision = run(
        outage_site(),
        powerwall(grid_up=False, battery_pct=80.0, site_load_w=1000.0, solar_w=2000.0),
    )
    assert decision.outage_power_w == 6000.0
    assert pilots(decision) == [25]


def test_ev_current_is_not_part_of_the_home_load():
    readings = Readings(
        chargers=(asking("c0", current=(10.0,)),),
        powerwall=PowerwallReading(
            at=0.0, grid_up=False, battery_pct=80.0, site_load_w=3400.0
        ),
    )
    # Home = 3400 W - 2400 W of EV = 1000 W.
    assert run(outage_site(), readings).outage_power_w == 4000.0


def test_below_threshold_stops_without_surplus_solar():
    decision = run(
        outage_site(),
        powerwall(grid_up=False, battery_pct=50.0, site_load_w=1000.0, solar_w=800.0),
    )
    assert decision.outage_power_w == 0.0
    assert pilots(decision) == [0]
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY]
    assert decision.state.outage_holding


def test_surplus_solar_is_shared_at_threshold():
    config = outage_site(chargers=chargers(2))
    readings = Readings(
        chargers=(asking("c0"), asking("c1")),
        powerwall=PowerwallReading(
            at=0.0, grid_up=False, battery_pct=40.0, site_load_w=1000.0, solar_w=4360.0
        ),
    )
    decision = run(config, readings)
    # 3360 W surplus = 14 A: 7 A each.
    assert decision.outage_power_w == 3360.0
    assert pilots(decision) == [7, 7]
    assert reasons(decision) == [LimitReason.OUTAGE_SOLAR] * 2


def test_surplus_solar_not_shared_when_disabled():
    config = SiteConfig(
        chargers=chargers(1),
        outage=OutageConfig(
            charging_threshold_pct=50.0, share_surplus_solar=False, margin_pct=0.0
        ),
    )
    decision = run(config, powerwall(grid_up=False, battery_pct=40.0, solar_w=9000.0))
    assert pilots(decision) == [0]
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY]


def test_battery_resumes_only_above_threshold_plus_hysteresis():
    config = outage_site()
    held = run(config, powerwall(grid_up=False, battery_pct=50.0)).state
    for battery, expected, holding in ((54.0, 0, True), (55.0, 20, False)):
        decision = run(
            config, powerwall(grid_up=False, battery_pct=battery), state=held
        )
        assert decision.chargers["c0"].target_a == expected
        assert decision.state.outage_holding is holding


def test_only_l1_is_backed_up():
    config = outage_site(
        chargers=(
            ChargerConfig("c0", 32, phases=(0, 1, 2)),
            ChargerConfig("c1", 32, phases=(1,)),
        ),
        phase_count=3,
    )
    readings = Readings(
        chargers=(asking("c0"), asking("c1")),
        powerwall=PowerwallReading(at=0.0, grid_up=False, battery_pct=90.0),
    )
    decision = run(config, readings)
    assert decision.available_current_a == (5000.0 / 240, 0.0, 0.0)
    assert pilots(decision) == [20, 0]
    assert decision.chargers["c0"].reserved_a == (20.0, 0.0, 0.0)
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY, LimitReason.OUTAGE_BATTERY]


@pytest.mark.parametrize("reading", [None, PowerwallReading(at=-61.0, grid_up=False)])
def test_stale_powerwall_falls_back(reading):
    config = outage_site(chargers=chargers(2), network_limit_a=40)
    decision = run(
        config, Readings(chargers=(asking("c0"), asking("c1")), powerwall=reading)
    )
    assert decision.stale_inputs == {SiteInput.POWERWALL}
    assert decision.outage_power_w is None
    assert pilots(decision) == [6, 0]


def test_group_under_a_panel_limit_during_an_outage():
    config = SiteConfig(
        chargers=chargers(3, max_a=32),
        voltage_v=240,
        network_limit_a=40,
        panel_limit_a=60,
        panel_margin_a=0,
        outage=OUTAGE,
    )
    meter = MeterReading(at=0.0, phase_current_a=(30.0,))
    on_grid = Readings(
        chargers=tuple(asking(f"c{i}") for i in range(3)),
        meter=meter,
        powerwall=PowerwallReading(at=0.0, grid_up=True),
    )
    assert pilots(run(config, on_grid)) == [10, 10, 10]
    assert reasons(run(config, on_grid)) == [LimitReason.PANEL_HEADROOM] * 3
    grid_down = Readings(
        chargers=on_grid.chargers,
        meter=MeterReading(at=0.0, phase_current_a=(0.0,)),
        powerwall=PowerwallReading(
            at=0.0, grid_up=False, battery_pct=90.0, solar_w=4000.0
        ),
    )
    # 9000 W / 240 V = 37.5 A: below the 40 A network limit and the 60 A panel.
    decision = run(config, grid_down)
    assert pilots(decision) == [13, 12, 12]
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY] * 3
    unlimited = Readings(
        chargers=on_grid.chargers,
        meter=grid_down.meter,
        powerwall=PowerwallReading(
            at=0.0, grid_up=False, battery_pct=90.0, solar_w=9000.0
        ),
    )
    assert reasons(run(config, unlimited)) == [LimitReason.NETWORK_LIMIT] * 3


def test_idle_vehicle_reading_counts_in_network_current():
    config = SiteConfig(chargers=chargers(1))
    idle = ChargerReading("c0", at=0.0, current_a=(0.4,))
    decision = run(config, Readings(chargers=(idle,)))
    assert decision.network_current_a == (0.4,)
    assert reasons(decision) == [LimitReason.NO_VEHICLE]


def _stale_after(config: SiteConfig, fresh: Readings, stale: Readings) -> list[int]:
    """Pilots once the meter of ``fresh`` (at 0 s) has gone stale (at 40 s)."""
    state = run(config, fresh).state
    return pilots(run(config, stale, now=40.0, state=state))


def test_stale_meter_holds_and_lowers_to_the_stale_budget():
    config = panel_site(chargers=chargers(3))
    meter = MeterReading(at=0.0, phase_current_a=(40.0,))
    idle = ChargerReading("c2", at=0.0)
    fresh = Readings(chargers=(asking("c0"), asking("c1"), idle), meter=meter)
    assert pilots(run(config, fresh)) == [28, 27, 0]
    # The meter stops; c2's vehicle arrives: it does not start.
    later = Readings(
        chargers=(asking("c0", 40.0), asking("c1", 40.0), asking("c2", 40.0)),
        meter=meter,
    )
    decision = run(config, later, now=40.0, state=run(config, fresh).state)
    assert decision.stale_inputs == {SiteInput.METER}
    # One budget for the site: 6 A for all of them together.
    assert pilots(decision) == [6, 0, 0]
    assert reasons(decision) == [LimitReason.STALE_INPUT] * 3


def test_stale_input_never_raises_a_pilot_above_the_last():
    config = panel_site(stale_budget_a=20)
    meter = MeterReading(at=0.0, phase_current_a=(87.0,))
    fresh = Readings(chargers=(asking("c0"),), meter=meter)
    assert pilots(run(config, fresh)) == [8]
    # The configured budget is 20 A, but the pilot it had is the most it keeps.
    stale = Readings(chargers=(asking("c0", 40.0, (8.0,)),), meter=meter)
    assert _stale_after(config, fresh, stale) == [8]
    # A vehicle paused when the meter went stale stays paused.
    full = Readings(
        chargers=(asking("c0"),), meter=replace(meter, phase_current_a=(99.0,))
    )
    assert pilots(run(config, full)) == [0]
    assert _stale_after(config, full, stale) == [0]


def test_single_phase_car_on_a_three_phase_unit_is_budgeted_on_l1_only():
    config = panel_site(
        chargers=(ChargerConfig("c0", 32, phases=(0, 1, 2)),),
        phase_count=3,
        voltage_v=230,
    )
    # The car draws 16 A on L1 only; the cooker loads L2 and L3 to 90 A.
    meter = MeterReading(at=0.0, phase_current_a=(40.0, 90.0, 90.0))
    car = asking("c0", current=(16.0, 0.3, 0.0))
    decision = run(config, Readings(chargers=(car,), meter=meter))
    # L1: 100 - 5 - (40 - 16) = 71 A of room; L2 and L3 do not count.
    assert pilots(decision) == [32]
    assert decision.chargers["c0"].reserved_a == (32.0, 0.3, 0.0)
    # It starts drawing on L2 and L3 too: counted there at once, lowered to
    # 100 - 5 - (90 - 16) = 21 A.
    car = asking("c0", current=(16.0, 16.0, 16.0))
    decision = run(config, Readings(chargers=(car,), meter=meter))
    assert pilots(decision) == [21]
    # Not charging yet: the pilot is reserved on every phase.
    car = asking("c0", current=(0.0, 0.0, 0.0))
    meter = MeterReading(at=0.0, phase_current_a=(40.0, 80.0, 80.0))
    assert pilots(run(config, Readings(chargers=(car,), meter=meter))) == [15]
