"""Rules over time: admission, rotation, timing, redistribution, faults."""

from dataclasses import replace

import pytest

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    EngineState,
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
    Timing,
    evaluate,
)

from .helpers import asking, chargers, pilots, reasons, run


class Site:
    """A site driven evaluation after evaluation, carrying the state."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.state = EngineState.initial()
        self.decision = None

    def step(self, now: float, readings: Readings | None = None):
        if readings is None:
            readings = Readings(
                chargers=tuple(asking(c.charger_id, now) for c in self.config.chargers)
            )
        self.decision = evaluate(self.config, readings, self.state, now)
        self.state = self.decision.state
        return self.decision


def test_priority_first_then_longest_waiting():
    config = SiteConfig(
        chargers=(
            ChargerConfig("low", 48),
            ChargerConfig("high", 48, priority=1),
            ChargerConfig("late", 48),
        ),
        network_limit_a=14,
    )
    site = Site(config)
    idle = ChargerReading("late", at=0.0)
    site.step(0.0, Readings(chargers=(asking("low"), asking("high"), idle)))
    assert pilots(site.decision) == [7, 7, 0]
    decision = site.step(10.0)
    # "late" arrives; "low" keeps its turn, "late" waits.
    assert pilots(decision) == [7, 7, 0]
    assert decision.chargers["late"].reason == LimitReason.WAITING_FOR_6A


def test_left_out_vehicles_rotate_at_the_interval():
    # These vehicles draw nothing: keep the not-drawing cap out of the rotation.
    config = SiteConfig(
        chargers=chargers(3),
        network_limit_a=13,
        timing=Timing(not_drawing_after_s=300.0),
    )
    site = Site(config)
    first = site.step(0.0)
    assert pilots(first) == [7, 6, 0]
    assert reasons(first)[2] == LimitReason.WAITING_FOR_6A
    assert pilots(site.step(1799.0)) == [7, 6, 0]
    rotated = site.step(1800.0)
    # Both turns ran out; c2 waited longest, then c0 (config order).
    assert [d.target_a for d in rotated.chargers.values()] == [6, 0, 7]
    # c2 waited its turn for 30 minutes: it starts after the short resume
    # delay of a long pause (30 s), not the full two minutes.
    assert pilots(rotated) == [6, 0, 0]
    assert rotated.chargers["c2"].reason == LimitReason.WAITING_FOR_6A
    assert pilots(site.step(1829.0)) == [6, 0, 0]
    # c0 is first again (turns tie, config order): its 1 A rise is in the deadband.
    assert pilots(site.step(1830.0)) == [6, 0, 6]
    # c1 now waits; new turns for c0 and c2 started at 1800.
    assert pilots(site.step(3599.0)) == [6, 0, 6]
    assert [d.target_a for d in site.step(3600.0).chargers.values()] == [6, 7, 0]


def test_turn_only_runs_while_someone_waits():
    config = SiteConfig(chargers=chargers(2), network_limit_a=10)
    site = Site(config)
    site.step(0.0, Readings(chargers=(asking("c0"),)))
    site.step(5000.0, Readings(chargers=(asking("c0"),)))
    decision = site.step(5001.0)
    assert pilots(decision) == [10, 0]
    assert pilots(site.step(6800.0)) == [10, 0]
    assert [d.target_a for d in site.step(6801.0).chargers.values()] == [0, 10]


def test_decrease_at_once_increase_after_deadband_and_interval():
    config = SiteConfig(chargers=chargers(1), panel_limit_a=50, panel_margin_a=0)

    def at(now: float, grid: float, ev: float):
        return Readings(
            chargers=(asking("c0", now, (ev,)),),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    site = Site(config)
    assert pilots(site.step(0.0, at(0.0, 20.0, 0.0))) == [30]
    # Home load jumps by 12 A: decrease on this very evaluation.
    assert pilots(site.step(5.0, at(5.0, 62.0, 30.0))) == [18]
    # Room back 1 A above: inside the deadband, held.
    assert pilots(site.step(100.0, at(100.0, 49.0, 18.0))) == [18]
    # Room back: rise waits for the 60 s interval since the last change.
    held = site.step(30.0 + 5.0, at(35.0, 38.0, 18.0))
    assert pilots(held) == [18]
    assert held.chargers["c0"].target_a == 30
    assert held.chargers["c0"].reason == LimitReason.WAITING_TO_INCREASE
    assert held.chargers["c0"].increase_at == 65.0
    assert pilots(site.step(65.0, at(65.0, 38.0, 18.0))) == [30]


def test_rise_to_the_charger_maximum_ignores_the_deadband():
    config = SiteConfig(chargers=chargers(1, max_a=32), network_limit_a=31)
    site = Site(config)
    assert pilots(site.step(0.0)) == [31]
    site.config = replace(config, network_limit_a=40)
    decision = site.step(60.0)
    assert pilots(decision) == [32]
    assert reasons(decision) == [LimitReason.POWER_LEVEL]


def test_new_session_starts_without_resume_delay():
    config = SiteConfig(chargers=chargers(1), network_limit_a=20)
    site = Site(config)
    site.step(0.0, Readings(chargers=(ChargerReading("c0", 0.0),)))
    assert reasons(site.decision) == [LimitReason.NO_VEHICLE]
    assert pilots(site.step(1.0)) == [20]


def test_paused_vehicle_resumes_after_continuous_room():
    config = SiteConfig(chargers=chargers(1), panel_limit_a=20, panel_margin_a=0)

    def home(now: float, grid: float):
        return Readings(
            chargers=(asking("c0", now),),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    site = Site(config)
    assert pilots(site.step(0.0, home(0.0, 18.0))) == [0]
    assert reasons(site.decision) == [LimitReason.PANEL_HEADROOM]
    assert pilots(site.step(10.0, home(10.0, 5.0))) == [0]
    assert reasons(site.decision) == [LimitReason.WAITING_FOR_6A]
    # Room gone again: the resume clock restarts.
    site.step(60.0, home(60.0, 18.0))
    assert pilots(site.step(70.0, home(70.0, 5.0))) == [0]
    assert pilots(site.step(189.0, home(189.0, 5.0))) == [0]
    assert pilots(site.step(190.0, home(190.0, 5.0))) == [15]


def test_vehicle_not_drawing_is_capped_lowered_and_lifted_when_it_draws_up_to_it():
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=40)

    def draw(now: float, c0: float, c1: float):
        return Readings(chargers=(asking("c0", now, (c0,)), asking("c1", now, (c1,))))

    site = Site(config)
    assert pilots(site.step(0.0, draw(0.0, 0.0, 0.0))) == [20, 20]
    # c0 tapers to 8 A: capped at 10 A (8 + 1.5, whole amps) after 2 minutes,
    # c1 gets the rest.
    site.step(10.0, draw(10.0, 8.0, 20.0))
    assert pilots(site.step(129.0, draw(129.0, 8.0, 20.0))) == [20, 20]
    capped = site.step(130.0, draw(130.0, 8.0, 20.0))
    # c1's last change was long ago: it rises to the freed current at once.
    assert pilots(capped) == [10, 30]
    assert reasons(capped)[0] == LimitReason.VEHICLE_NOT_DRAWING
    assert pilots(site.step(190.0, draw(190.0, 8.0, 30.0))) == [10, 30]
    # No periodic re-offer: a vehicle still below its cap keeps it.
    assert pilots(site.step(1209.0, draw(1209.0, 8.0, 30.0))) == [10, 30]
    # Tapering on: capped lower 2 minutes later, c1 gets what it frees.
    site.step(1300.0, draw(1300.0, 4.0, 30.0))
    assert pilots(site.step(1419.0, draw(1419.0, 4.0, 30.0))) == [10, 30]
    lower = site.step(1420.0, draw(1420.0, 4.0, 30.0))
    assert pilots(lower) == [6, 32]
    # It draws up to its cap (it wants more): the cap is lifted, its fair share
    # again (20 A), c1 down at once; c0 rises by what is measured free (2.5 A)
    # now, the rest once c1's decrease is measured.
    reoffer = site.step(1700.0, draw(1700.0, 5.5, 32.0))
    assert pilots(reoffer) == [8, 20]
    assert [d.target_a for d in reoffer.chargers.values()] == [20, 20]
    assert reoffer.chargers["c0"].reason == LimitReason.NETWORK_LIMIT
    assert pilots(site.step(1770.0, draw(1770.0, 7.5, 20.0))) == [20, 20]


@pytest.mark.parametrize(
    ("c1_draws", "c0_pilot"),
    [(29.0, 10), (27.0, 13)],
    ids=["1-A-rise-held", "3-A-rise-given"],
)
def test_rise_cut_short_by_the_measured_load_honours_the_deadband(c1_draws, c0_pilot):
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=40)

    def draw(now: float, c0: float, c1: float):
        return Readings(chargers=(asking("c0", now, (c0,)), asking("c1", now, (c1,))))

    site = Site(config)
    site.step(0.0, draw(0.0, 0.0, 0.0))
    site.step(10.0, draw(10.0, 8.0, 20.0))
    assert pilots(site.step(310.0, draw(310.0, 8.0, 20.0))) == [10, 30]
    # c0 draws up to its cap: it wants 20 A, but c1 is still on its way down.
    decision = site.step(1210.0, draw(1210.0, 9.5, c1_draws))
    assert pilots(decision) == [c0_pilot, 20]
    assert decision.chargers["c0"].reason == LimitReason.NETWORK_LIMIT
    assert sum(d.reserved_a[0] for d in decision.chargers.values()) <= 40


def test_not_drawing_cap_never_below_6_a():
    config = SiteConfig(chargers=chargers(1, max_a=32))
    site = Site(config)
    site.step(0.0, Readings(chargers=(asking("c0", 0.0, (0.0,)),)))
    site.step(1.0, Readings(chargers=(asking("c0", 1.0, (0.0,)),)))
    decision = site.step(301.0, Readings(chargers=(asking("c0", 301.0, (0.0,)),)))
    assert pilots(decision) == [6]
    # Still nothing 5 minutes later: the cap stays at 6 A.
    site.step(302.0, Readings(chargers=(asking("c0", 302.0, (0.0,)),)))
    decision = site.step(602.0, Readings(chargers=(asking("c0", 602.0, (0.0,)),)))
    assert pilots(decision) == [6]
    assert site.state.chargers["c0"].not_drawing.cap_a == 6


def test_vehicle_drawing_above_its_pilot_is_budgeted_at_its_draw():
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=40)
    site = Site(config)
    site.step(0.0)
    # c0 ignores its 20 A and draws 30 A: flagged after the follow grace.
    early = site.step(
        59.0, Readings(chargers=(asking("c0", 59.0, (30.0,)), asking("c1", 59.0)))
    )
    assert not early.chargers["c0"].not_following
    decision = site.step(
        60.0, Readings(chargers=(asking("c0", 60.0, (30.0,)), asking("c1", 60.0)))
    )
    c0, c1 = decision.chargers["c0"], decision.chargers["c1"]
    assert c0.not_following
    assert c0.reserved_a == (30.0,)
    assert c1.pilot_a == 10
    assert c0.reserved_a[0] + c1.reserved_a[0] <= 40


def test_not_following_is_latched_and_its_pilot_held_until_it_follows():
    config = SiteConfig(chargers=chargers(2, max_a=48), network_limit_a=60)
    site = Site(config)

    def draw(now: float, c0: float, c1: float):
        return Readings(chargers=(asking("c0", now, (c0,)), asking("c1", now, (c1,))))

    assert pilots(site.step(0.0, draw(0.0, 0.0, 0.0))) == [30, 30]
    site.step(10.0, draw(10.0, 48.0, 30.0))
    # Flagged after the grace: held at 30 A (a rise is a command it ignores),
    # c1 is given what c0 leaves: 60 - 48 = 12 A.
    flagged = site.step(70.0, draw(70.0, 48.0, 30.0))
    assert flagged.chargers["c0"].not_following
    assert pilots(flagged) == [30, 12]
    commands = 0
    last = pilots(flagged)
    for now in range(75, 1000, 5):
        decision = site.step(float(now), draw(float(now), 48.0, 12.0))
        assert decision.chargers["c0"].not_following
        commands += sum(a != b for a, b in zip(pilots(decision), last, strict=True))
        last = pilots(decision)
    # No flapping: not one new pilot in 15 minutes.
    assert commands == 0
    # It follows at last: released after following for the grace.
    site.step(1000.0, draw(1000.0, 30.0, 12.0))
    held = site.step(1059.0, draw(1059.0, 30.0, 12.0))
    assert held.chargers["c0"].not_following
    released = site.step(1060.0, draw(1060.0, 30.0, 12.0))
    assert not released.chargers["c0"].not_following
    # Over again: the grace runs from when it first drew above, not from
    # its last pilot change.
    site.step(1100.0, draw(1100.0, 40.0, 12.0))
    site.step(1130.0, draw(1130.0, 40.0, 12.0))
    assert site.step(1160.0, draw(1160.0, 40.0, 12.0)).chargers["c0"].not_following


def test_unreachable_charger_gets_fallback_and_reservation():
    config = SiteConfig(chargers=chargers(4, max_a=48), network_limit_a=80)
    site = Site(config)
    assert pilots(site.step(0.0)) == [20, 20, 20, 20]
    readings = Readings(
        chargers=(
            ChargerReading("c0", 10.0, reachable=False),
            asking("c1", 10.0),
            asking("c2", 10.0),
        )
    )
    decision = site.step(10.0, readings)
    c0 = decision.chargers["c0"]
    assert (c0.pilot_a, c0.reason, c0.reserved_a) == (
        20,
        LimitReason.FALLBACK_UNREACHABLE,
        (20.0,),
    )
    assert decision.chargers["c3"].reason == LimitReason.FALLBACK_UNREACHABLE
    # Two reservations of 20 A: 40 A left for the two others.
    assert pilots(decision)[1:3] == [20, 20]


def test_unreachable_reserves_its_last_pilot_when_higher():
    config = SiteConfig(chargers=chargers(2, max_a=48), network_limit_a=60)
    site = Site(config)
    site.step(0.0, Readings(chargers=(asking("c0"), ChargerReading("c1", 0.0))))
    assert pilots(site.decision) == [48, 0]
    stale = Readings(chargers=(asking("c0", 0.0), asking("c1", 70.0)))
    decision = site.step(70.0, stale)
    c0 = decision.chargers["c0"]
    assert (c0.pilot_a, c0.reserved_a) == (30, (48.0,))
    assert decision.chargers["c1"].pilot_a == 12


def test_unreachable_pilot_lowered_to_the_room_left():
    config = SiteConfig(chargers=chargers(2), panel_limit_a=30, panel_margin_a=0)
    readings = Readings(
        chargers=(asking("c0", current=(0.0,)),),
        meter=MeterReading(at=0.0, phase_current_a=(20.0,)),
    )
    decision = run(config, readings)
    assert decision.chargers["c1"].pilot_a == 10
    assert decision.chargers["c0"].reason == LimitReason.PANEL_HEADROOM
    full = Readings(chargers=(), meter=MeterReading(at=0.0, phase_current_a=(27.0,)))
    assert pilots(run(config, full)) == [0, 0]


def test_unreachable_disabled_charger_is_commanded_nothing():
    config = SiteConfig(chargers=(ChargerConfig("c0", enabled=False),))
    decision = run(config, Readings())
    assert (pilots(decision), reasons(decision)) == ([0], [LimitReason.DISABLED])


def test_no_fallback_share_without_group_or_panel():
    decision = run(SiteConfig(chargers=chargers(2, max_a=32)), Readings())
    assert pilots(decision) == [32, 32]


def test_not_managed_charger_loads_the_group_and_the_panel():
    config = SiteConfig(
        chargers=(
            ChargerConfig("ours", 48),
            ChargerConfig("theirs", 48, managed=False),
        ),
        network_limit_a=40,
    )
    readings = Readings(chargers=(asking("ours"), asking("theirs", current=(16.0,))))
    decision = run(config, readings)
    assert pilots(decision) == [24, 0]
    assert decision.chargers["theirs"].reason == LimitReason.NOT_MANAGED
    assert decision.chargers["theirs"].reserved_a == (16.0,)
    unreadable = run(config, Readings(chargers=(asking("ours"),)))
    assert unreadable.chargers["theirs"].reserved_a == (48.0,)
    assert pilots(unreadable) == [0, 0]


def test_disabled_and_idle_chargers_get_nothing():
    config = SiteConfig(
        chargers=(
            ChargerConfig("off", enabled=False),
            ChargerConfig("empty"),
            ChargerConfig("full"),
        ),
    )
    readings = Readings(
        chargers=(
            asking("off"),
            ChargerReading("empty", 0.0),
            ChargerReading("full", 0.0, vehicle_connected=True),
        )
    )
    assert reasons(run(config, readings)) == [
        LimitReason.DISABLED,
        LimitReason.NO_VEHICLE,
        LimitReason.NO_VEHICLE,
    ]


def test_stale_budget_below_6_a_pauses():
    config = SiteConfig(chargers=chargers(1), panel_limit_a=40, stale_budget_a=4)
    decision = run(config, Readings(chargers=(asking("c0"),)))
    assert (pilots(decision), reasons(decision)) == ([0], [LimitReason.STALE_INPUT])


def test_charger_reading_missing_values_take_the_highest():
    config = SiteConfig(
        chargers=(ChargerConfig("c0", 32, phases=(0, 1, 2)),), phase_count=3
    )
    decision = run(config, Readings(chargers=(asking("c0", current=(5.0, -1.0)),)))
    assert decision.network_current_a == (5.0, 0.0, 5.0)


def test_same_input_same_result():
    config = SiteConfig(chargers=chargers(3), network_limit_a=20, timing=Timing())
    assert run(config) == run(config)


def test_current_freed_by_a_decrease_goes_to_others_once_measured():
    """A is lowered to admit B; B starts only once A's decrease is measured."""
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=32)

    def draw(now: float, a: float, b: float | None):
        vehicles = [asking("c0", now, (a,))]
        if b is not None:
            vehicles.append(asking("c1", now, (b,)))
        else:
            vehicles.append(ChargerReading("c1", now))
        return Readings(chargers=tuple(vehicles))

    site = Site(config)
    assert pilots(site.step(0.0, draw(0.0, 0.0, None))) == [32, 0]
    site.step(30.0, draw(30.0, 32.0, None))
    # B arrives: A is lowered at once, but still draws 32 A for a while.
    arrival = site.step(100.0, draw(100.0, 32.0, 0.0))
    assert arrival.chargers["c0"].pilot_a == 16
    assert arrival.chargers["c1"].pilot_a == 0
    assert arrival.chargers["c1"].target_a == 16
    assert arrival.chargers["c1"].reason == LimitReason.WAITING_FOR_6A
    assert arrival.chargers["c0"].reserved_a == (32.0,)
    lagging = site.step(110.0, draw(110.0, 32.0, 0.0))
    assert pilots(lagging) == [16, 0]
    for decision in (arrival, lagging):
        assert sum(d.reserved_a[0] for d in decision.chargers.values()) <= 32
    # A's decrease is measured: B starts at once (it never was paused for room).
    # A reads 0.2 A over its pilot: planned for, B gets 15 A, not 0 A.
    followed = site.step(120.0, draw(120.0, 16.2, 0.0))
    assert pilots(followed) == [16, 15]
    assert followed.chargers["c1"].reason == LimitReason.NETWORK_LIMIT
    assert sum(d.reserved_a[0] for d in followed.chargers.values()) <= 32


def test_load_spike_lowers_pilots_at_once_without_pausing():
    """Measured current above a sudden lower budget: decreases, no pause, no rise."""
    config = SiteConfig(chargers=chargers(2, max_a=32), panel_limit_a=100)

    def home(now: float, grid: float, a: float, b: float):
        return Readings(
            chargers=(asking("c0", now, (a,)), asking("c1", now, (b,))),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    site = Site(config)
    assert pilots(site.step(0.0, home(0.0, 20.0, 0.0, 0.0))) == [32, 32]
    site.step(60.0, home(60.0, 84.0, 32.0, 31.5))
    # A 40 A dryer: home 60 A, headroom 38 A, while the vehicles draw 63.5 A.
    spike = site.step(70.0, home(70.0, 123.5, 32.0, 31.5))
    assert pilots(spike) == [19, 19]
    assert reasons(spike) == [LimitReason.PANEL_HEADROOM] * 2


def test_a_rise_below_the_deadband_is_made_once_the_target_has_stayed_up():
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=41)

    def draw(now: float, c0: float, c1: float):
        return Readings(chargers=(asking("c0", now, (c0,)), asking("c1", now, (c1,))))

    site = Site(config)
    assert pilots(site.step(0.0, draw(0.0, 0.0, 0.0))) == [21, 20]
    # 1 A more for c1: below the deadband, held ...
    site.config = replace(config, network_limit_a=42)
    decision = site.step(100.0, draw(100.0, 21.0, 20.0))
    assert (pilots(decision), decision.chargers["c1"].target_a) == ([21, 20], 21)
    assert pilots(site.step(399.0, draw(399.0, 21.0, 20.0))) == [21, 20]
    # ... until its target has stayed above its pilot for 5 minutes.
    assert pilots(site.step(400.0, draw(400.0, 21.0, 20.0))) == [21, 21]
    # A target that dips back restarts the clock.
    site.config = replace(config, network_limit_a=43)
    site.step(500.0, draw(500.0, 21.0, 21.0))
    site.config = replace(config, network_limit_a=42)
    site.step(600.0, draw(600.0, 21.0, 21.0))
    site.config = replace(config, network_limit_a=43)
    assert pilots(site.step(700.0, draw(700.0, 21.0, 21.0))) == [21, 21]
    assert pilots(site.step(1000.0, draw(1000.0, 21.0, 21.0))) == [22, 21]


@pytest.mark.parametrize(("lag_window_s", "loops"), [(0.0, True), (45.0, False)])
def test_a_resumed_vehicle_is_not_paused_by_its_own_unseen_draw(lag_window_s, loops):
    """At the charging threshold, surplus solar only: the Powerwall sees the
    vehicle's draw at once, its Wall Connector a poll later. Without the lag
    credit the vehicle is paused one evaluation after it resumed, waits the
    resume delay, resumes, and is paused again: a loop."""
    config = SiteConfig(
        chargers=chargers(1, max_a=32),
        voltage_v=240,
        outage=OutageConfig(charging_threshold_pct=50.0),
        timing=Timing(lag_window_s=lag_window_s),
    )
    site = Site(config)

    def readings(now: float, ev_a: float, seen_a: float) -> Readings:
        # 3000 W of solar, 1000 W of house: 8.3 A of surplus for the vehicle.
        return Readings(
            chargers=(asking("c0", now, (seen_a,)),),
            powerwall=PowerwallReading(
                at=now,
                grid_up=False,
                battery_pct=50.0,
                solar_w=3000.0,
                site_load_w=1000.0 + 240.0 * ev_a,
            ),
        )

    assert pilots(site.step(0.0, readings(0.0, 0.0, 0.0))) == [8]
    pauses = 0
    ev = 0.0
    for now in range(2, 1200, 2):
        pilot = site.decision.chargers["c0"].pilot_a
        seen = ev  # its unit shows the draw one poll (2 s) late
        ev = float(pilot)  # the vehicle follows within the step
        decision = site.step(float(now), readings(float(now), ev, seen))
        pauses += pilot > 0 and decision.chargers["c0"].pilot_a == 0
    assert pauses >= 5 if loops else pauses == 0


@pytest.mark.parametrize(("lag_window_s", "held"), [(0.0, False), (45.0, True)])
def test_a_fall_its_unit_shows_before_the_meter_does_not_lower_the_others(
    lag_window_s, held
):
    """A load spike leaves room for one vehicle at 8 A: c1 is paused, c0
    lowered to 8 A. c1's unit shows it stopped before the late meter does:
    without the credit for that fall the meter's stale 10 A looks like more
    home load and c0 is paused too, then waits the resume delay."""
    config = SiteConfig(
        chargers=chargers(2, max_a=16),
        panel_limit_a=40,
        panel_margin_a=0,
        timing=Timing(lag_window_s=lag_window_s),
    )
    site = Site(config)

    def readings(now: float, grid: float, c0: float, c1: float) -> Readings:
        return Readings(
            chargers=(asking("c0", now, (c0,)), asking("c1", now, (c1,))),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    assert pilots(site.step(0.0, readings(0.0, 20.0, 0.0, 0.0))) == [10, 10]
    site.step(60.0, readings(60.0, 40.0, 10.0, 10.0))
    # A 12 A load: 8 A of room for the vehicles, one of them is paused.
    spike = site.step(70.0, readings(70.0, 52.0, 10.0, 10.0))
    assert pilots(spike) == [8, 0]
    # c1's unit shows 0 A, the meter still has its 10 A; c0 not yet lowered.
    early = site.step(75.0, readings(75.0, 52.0, 10.0, 0.0))
    assert pilots(early) == ([8, 0] if held else [0, 0])
    # The meter catches up: the room is as it was.
    later = site.step(80.0, readings(80.0, 40.0, 8.0, 0.0))
    assert pilots(later)[0] == (8 if held else 0)


def test_a_vehicle_on_its_way_down_is_not_lowered_again_for_its_excess():
    """Lowered from 37 A to 36 A, it still reads 37 A two seconds later: that
    1 A is the command not yet followed, not a meter offset, so no second
    command to 35 A. Once the pilot has stood for the follow grace, the same
    excess is taken as an offset and planned for."""
    config = SiteConfig(chargers=chargers(1), panel_limit_a=100, panel_margin_a=0)
    site = Site(config)

    def readings(now: float, grid: float, ev: float) -> Readings:
        return Readings(
            chargers=(asking("c0", now, (ev,)),),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    site.step(0.0, readings(0.0, 52.0, 0.0))
    site.step(60.0, readings(60.0, 100.0, 48.0))
    # Home load 63 A: 37 A of room.
    assert pilots(site.step(120.0, readings(120.0, 100.0, 37.0))) == [37]
    # Home load 63.8 A: 36.2 A of room, lowered to 36 A.
    assert pilots(site.step(130.0, readings(130.0, 100.8, 37.0))) == [36]
    assert pilots(site.step(132.0, readings(132.0, 100.8, 37.0))) == [36]
    # Still 1 A over its pilot after the follow grace: an offset, planned for.
    assert pilots(site.step(200.0, readings(200.0, 100.8, 37.0))) == [35]


def test_a_vehicle_paused_by_the_outage_starts_at_once_when_the_grid_is_back():
    """No resume delay for the grid's return: the room is not passing."""
    config = SiteConfig(
        chargers=chargers(1, max_a=32),
        voltage_v=240,
        panel_limit_a=100,
        outage=OutageConfig(charging_threshold_pct=50.0),
    )
    site = Site(config)

    def readings(now: float, grid_up: bool) -> Readings:
        return Readings(
            chargers=(asking("c0", now, (0.0,)),),
            meter=MeterReading(at=now, phase_current_a=(10.0,)),
            powerwall=PowerwallReading(
                at=now,
                grid_up=grid_up,
                battery_pct=50.0,
                solar_w=0.0,
                site_load_w=2400.0,
            ),
        )

    paused = site.step(0.0, readings(0.0, False))
    assert pilots(paused) == [0]
    assert paused.chargers["c0"].reason in {
        LimitReason.OUTAGE_BATTERY,
        LimitReason.OUTAGE_SOLAR,
    }
    assert pilots(site.step(60.0, readings(60.0, False))) == [0]
    assert pilots(site.step(65.0, readings(65.0, True))) == [32]


def test_after_a_long_pause_a_vehicle_resumes_after_the_short_delay():
    """Paused 10 minutes or more before the room came back: 30 s, not 2 min."""
    config = SiteConfig(chargers=chargers(1, max_a=32), panel_limit_a=40)
    site = Site(config)

    def readings(now: float, grid: float) -> Readings:
        return Readings(
            chargers=(asking("c0", now, (0.0,)),),
            meter=MeterReading(at=now, phase_current_a=(grid,)),
        )

    assert pilots(site.step(0.0, readings(0.0, 37.0))) == [0]
    # The room comes back after 15 minutes without it.
    assert pilots(site.step(900.0, readings(900.0, 10.0))) == [0]
    assert pilots(site.step(929.0, readings(929.0, 10.0))) == [0]
    assert pilots(site.step(930.0, readings(930.0, 10.0))) == [28]
    # A short pause (2 minutes): the full resume delay again.
    site.step(990.0, readings(990.0, 38.0))
    site.step(1110.0, readings(1110.0, 10.0))
    assert pilots(site.step(1140.0, readings(1140.0, 10.0))) == [0]
    assert pilots(site.step(1230.0, readings(1230.0, 10.0))) == [28]


def _metered(now: float, meter_at: float, grid: float, *, vehicle: bool = True):
    """One charger drawing nothing, with or without a vehicle, and the meter."""
    charger = asking("c0", now) if vehicle else ChargerReading("c0", now)
    return Readings(
        chargers=(charger,), meter=MeterReading(at=meter_at, phase_current_a=(grid,))
    )


def test_a_vehicle_arriving_while_the_meter_is_stale_starts_once_it_is_back():
    """Held at 0 A by the stale meter, never paused for lack of room: no delay."""
    site = Site(SiteConfig(chargers=chargers(1, max_a=32), panel_limit_a=40))
    assert reasons(site.step(0.0, _metered(0.0, 0.0, 10.0, vehicle=False))) == [
        LimitReason.NO_VEHICLE
    ]
    # The meter's last report is at 0 s; the vehicle arrives at 100 s.
    held = site.step(100.0, _metered(100.0, 0.0, 10.0))
    assert (pilots(held), reasons(held)) == ([0], [LimitReason.STALE_INPUT])
    assert pilots(site.step(130.0, _metered(130.0, 130.0, 10.0))) == [28]


def test_a_vehicle_paused_by_a_stale_budget_starts_once_the_meter_is_back():
    """A stale budget below 6 A pauses; the fresh meter ends that pause at once."""
    config = SiteConfig(
        chargers=chargers(1, max_a=32), panel_limit_a=40, stale_budget_a=0
    )
    site = Site(config)
    assert pilots(site.step(0.0, _metered(0.0, 0.0, 10.0))) == [28]
    assert pilots(site.step(40.0, _metered(40.0, 0.0, 38.0))) == [0]
    assert pilots(site.step(100.0, _metered(100.0, 100.0, 10.0))) == [28]


def test_a_vehicle_paused_for_room_before_the_meter_went_stale_keeps_the_delay():
    """The meter going stale does not turn a pause for lack of room into another."""
    site = Site(SiteConfig(chargers=chargers(1, max_a=32), panel_limit_a=40))
    assert pilots(site.step(0.0, _metered(0.0, 0.0, 37.0))) == [0]
    held = site.step(60.0, _metered(60.0, 0.0, 37.0))
    assert reasons(held) == [LimitReason.STALE_INPUT]
    assert pilots(site.step(100.0, _metered(100.0, 100.0, 10.0))) == [0]
    assert pilots(site.step(219.0, _metered(219.0, 219.0, 10.0))) == [0]
    assert pilots(site.step(220.0, _metered(220.0, 220.0, 10.0))) == [28]
