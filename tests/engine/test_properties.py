"""Safety and fairness properties over generated sites.

The limits are recomputed here from the inputs, independently of the engine.
"""

from dataclasses import replace
import math

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.tesla_power_mgmt.engine import (
    MIN_CURRENT_A,
    ChargerConfig,
    ChargerReading,
    Decision,
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

NOW = 1000.0
TOLERANCE = 1e-6
TIMING = Timing()
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def sites(draw) -> tuple[SiteConfig, Readings]:
    phase_count = draw(st.sampled_from((1, 3)))
    count = draw(st.integers(1, 12))
    chargers = []
    for index in range(count):
        if phase_count == 3:
            phases = draw(st.sampled_from(((0, 1, 2), (0,), (1,), (2,))))
        else:
            phases = (0,)
        chargers.append(
            ChargerConfig(
                f"c{index}",
                max_current_a=draw(st.integers(6, 48)),
                phases=phases,
                priority=draw(st.integers(0, 2)),
                managed=draw(st.sampled_from((True, True, True, False))),
                enabled=draw(st.sampled_from((True, True, True, False))),
            )
        )
    maxes = [charger.max_current_a for charger in chargers]
    network_limit = draw(
        st.none() | st.integers(MIN_CURRENT_A * count, sum(maxes)).map(float)
    )
    panel_limit = draw(st.none() | st.floats(10, 400))
    outage = draw(
        st.none()
        | st.builds(
            OutageConfig,
            charging_threshold_pct=st.floats(0, 100),
            hysteresis_pct=st.floats(0, 10),
            share_surplus_solar=st.booleans(),
            discharge_capability_w=st.floats(0, 15000),
        )
    )
    config = SiteConfig(
        chargers=tuple(chargers),
        phase_count=phase_count,
        voltage_v=240.0 if phase_count == 1 else 230.0,
        network_limit_a=network_limit,
        panel_limit_a=panel_limit,
        panel_margin_a=draw(st.floats(0, 10)),
        outage=outage,
        stale_budget_a=draw(st.none() | st.integers(6, 48)),
    )
    ages = st.floats(0, 120)
    readings = []
    for charger in chargers:
        if draw(st.integers(0, 9)) == 0:
            continue
        readings.append(
            ChargerReading(
                charger.charger_id,
                at=NOW - draw(ages),
                reachable=draw(st.sampled_from((True, True, True, False))),
                vehicle_connected=draw(st.sampled_from((True, True, False))),
                vehicle_wants_current=draw(st.sampled_from((True, True, False))),
                current_a=tuple(draw(st.floats(0, 60)) for _ in charger.phases),
            )
        )
    meter = draw(
        st.none()
        | st.builds(
            MeterReading,
            at=ages.map(lambda age: NOW - age),
            phase_current_a=st.lists(
                st.floats(-50, 300), min_size=phase_count, max_size=phase_count
            ).map(tuple),
        )
        | st.builds(
            MeterReading,
            at=ages.map(lambda age: NOW - age),
            power_w=st.floats(-20000, 100000),
            voltage_v=st.none() | st.floats(100, 260),
        )
    )
    powerwall = draw(
        st.none()
        | st.builds(
            PowerwallReading,
            at=ages.map(lambda age: NOW - age),
            grid_up=st.booleans(),
            battery_pct=st.floats(0, 100),
            solar_w=st.floats(0, 10000),
            site_load_w=st.floats(0, 15000),
        )
    )
    return config, Readings(tuple(readings), meter, powerwall)


def fresh_readings(config: SiteConfig, readings: Readings) -> dict[str, ChargerReading]:
    return {
        reading.charger_id: reading
        for reading in readings.chargers
        if reading.reachable and NOW - reading.at <= TIMING.charger_stale_s
    }


def measured_on(charger: ChargerConfig, reading: ChargerReading, phase: int) -> float:
    offset = charger.phases.index(phase)
    return max(reading.current_a[offset], 0.0)


def outage_active(config: SiteConfig, readings: Readings) -> bool:
    powerwall = readings.powerwall
    return (
        config.outage is not None
        and powerwall is not None
        and NOW - powerwall.at <= TIMING.powerwall_stale_s
        and not powerwall.grid_up
    )


def live_phases(config: SiteConfig, readings: Readings, charger: ChargerConfig):
    if outage_active(config, readings):
        return tuple(phase for phase in charger.phases if phase == 0)
    return charger.phases


def oracle_limits(config: SiteConfig, readings: Readings) -> tuple[list[float], bool]:
    """Return the tightest EV limit per phase, and whether a site input is stale."""
    limits = [math.inf] * config.phase_count
    fresh = fresh_readings(config, readings)
    ev = [0.0] * config.phase_count
    for charger in config.chargers:
        if charger.charger_id in fresh:
            for phase in charger.phases:
                ev[phase] += measured_on(charger, fresh[charger.charger_id], phase)
    stale = False
    if config.network_limit_a is not None:
        limits = [min(limit, config.network_limit_a) for limit in limits]
    if config.panel_limit_a is not None:
        meter = readings.meter
        if meter is None or NOW - meter.at > TIMING.meter_stale_s:
            stale = True
        else:
            if meter.phase_current_a is not None:
                home = [
                    grid - e for grid, e in zip(meter.phase_current_a, ev, strict=True)
                ]
            else:
                volts = meter.voltage_v or config.voltage_v
                home_w = meter.power_w - sum(ev) * volts
                home = [home_w / volts] * config.phase_count
            panel = config.panel_limit_a - config.panel_margin_a
            limits = [
                min(limit, panel - max(h, 0.0))
                for limit, h in zip(limits, home, strict=True)
            ]
    powerwall = readings.powerwall
    if config.outage is not None:
        if powerwall is None or NOW - powerwall.at > TIMING.powerwall_stale_s:
            stale = True
        elif not powerwall.grid_up:
            outage = config.outage
            home_w = max(powerwall.site_load_w - sum(ev) * config.voltage_v, 0.0)
            if powerwall.battery_pct > outage.charging_threshold_pct:
                power = outage.discharge_capability_w - home_w + powerwall.solar_w
            elif outage.share_surplus_solar:
                power = powerwall.solar_w - home_w
            else:
                power = 0.0
            limits[0] = min(limits[0], max(power, 0.0) / config.voltage_v)
            for phase in range(1, config.phase_count):
                limits[phase] = min(limits[phase], 0.0)
    return limits, stale


def is_participant(charger: ChargerConfig, fresh: dict[str, ChargerReading]) -> bool:
    reading = fresh.get(charger.charger_id)
    return (
        charger.managed
        and charger.enabled
        and reading is not None
        and reading.vehicle_connected
        and reading.vehicle_wants_current
    )


def run(config: SiteConfig, readings: Readings) -> Decision:
    return evaluate(config, readings, EngineState.initial(), NOW)


@PROPERTY_SETTINGS
@given(sites())
def test_every_phase_of_every_level_stays_within_its_limit(site):
    config, readings = site
    decision = run(config, readings)
    limits, _ = oracle_limits(config, readings)
    for phase, limit in enumerate(limits):
        total = sum(d.reserved_a[phase] for d in decision.chargers.values())
        unmanaged = sum(
            decision.chargers[c.charger_id].reserved_a[phase]
            for c in config.chargers
            if not c.managed
        )
        if unmanaged <= limit + TOLERANCE:
            assert total <= limit + TOLERANCE
        else:
            # What cannot be commanded already exceeds: nothing else on the phase.
            assert all(
                decision.chargers[c.charger_id].pilot_a == 0
                for c in config.chargers
                if c.managed and phase in live_phases(config, readings, c)
            )


@PROPERTY_SETTINGS
@given(sites())
def test_pilots_are_whole_amps_zero_or_between_6_a_and_the_maximum(site):
    config, readings = site
    decision = run(config, readings)
    _, stale = oracle_limits(config, readings)
    for charger in config.chargers:
        result = decision.chargers[charger.charger_id]
        assert type(result.pilot_a) is int
        assert (
            result.pilot_a == 0
            or MIN_CURRENT_A <= result.pilot_a <= charger.max_current_a
        )
        assert result.pilot_a <= result.target_a or result.target_a == 0
        if stale and config.stale_budget_a is not None:
            assert result.pilot_a <= config.stale_budget_a
        if not charger.managed or not charger.enabled:
            assert result.pilot_a == 0


@PROPERTY_SETTINGS
@given(sites())
def test_no_vehicle_left_at_0_while_another_has_more_than_6_a_without_reason(site):
    config, readings = site
    decision = run(config, readings)
    limits, _ = oracle_limits(config, readings)
    fresh = fresh_readings(config, readings)
    for charger in config.chargers:
        result = decision.chargers[charger.charger_id]
        if not is_participant(charger, fresh) or result.pilot_a > 0:
            continue
        if result.reason == LimitReason.STALE_INPUT:
            continue  # the stale budget is below 6 A for everyone
        assert result.reason in {
            LimitReason.WAITING_FOR_6A,
            LimitReason.NETWORK_LIMIT,
            LimitReason.PANEL_HEADROOM,
            LimitReason.OUTAGE_BATTERY,
            LimitReason.OUTAGE_SOLAR,
        }
        # Even with every other vehicle cut to 6 A, one of its phases has no 6 A.
        live = live_phases(config, readings, charger)
        assert (
            any(
                sum(d.reserved_a[p] for d in decision.chargers.values())
                - sum(
                    d.pilot_a - MIN_CURRENT_A
                    for c in config.chargers
                    if p in c.phases and c.managed
                    for d in (decision.chargers[c.charger_id],)
                    if d.pilot_a > MIN_CURRENT_A
                    and d.reason != LimitReason.FALLBACK_UNREACHABLE
                )
                + MIN_CURRENT_A
                > limits[p] + TOLERANCE
                for p in live
            )
            or not live
        )


@PROPERTY_SETTINGS
@given(sites(), st.integers(1, 100))
def test_adding_budget_never_lowers_the_total(site, extra):
    config, readings = site
    before = run(config, readings)
    larger = replace(
        config,
        network_limit_a=None
        if config.network_limit_a is None
        else config.network_limit_a + extra,
        panel_limit_a=None
        if config.panel_limit_a is None
        else config.panel_limit_a + extra,
    )
    after = run(larger, readings)

    def total(decision: Decision) -> float:
        return sum(sum(d.reserved_a) for d in decision.chargers.values())

    assert total(after) >= total(before) - TOLERANCE


@PROPERTY_SETTINGS
@given(sites())
def test_same_input_same_result(site):
    config, readings = site
    assert run(config, readings) == run(config, readings)


@PROPERTY_SETTINGS
@given(sites(), sites(), st.floats(0, 4000))
def test_limits_hold_whatever_the_history(site, history, elapsed):
    """Timing rules only hold rises back: any prior state keeps the phases safe."""
    config, readings = site
    _, earlier_readings = history
    state = EngineState.initial()
    for moment in (NOW - elapsed, NOW - elapsed / 2):
        shifted = replace(
            earlier_readings,
            chargers=tuple(
                replace(r, at=r.at - NOW + moment) for r in earlier_readings.chargers
            ),
        )
        state = evaluate(config, shifted, state, moment).state
    decision = evaluate(config, readings, state, NOW)
    limits, _ = oracle_limits(config, readings)
    fresh = fresh_readings(config, readings)
    for charger in config.chargers:
        result = decision.chargers[charger.charger_id]
        assert result.pilot_a == 0 or (
            MIN_CURRENT_A <= result.pilot_a <= charger.max_current_a
        )
        if result.reason != LimitReason.FALLBACK_UNREACHABLE:
            assert result.pilot_a <= result.target_a
    for phase, limit in enumerate(limits):
        total = sum(d.reserved_a[phase] for d in decision.chargers.values())
        if total <= limit + TOLERANCE:
            continue
        # Over only through what cannot be commanded down on this evaluation.
        for charger in config.chargers:
            result = decision.chargers[charger.charger_id]
            if phase in live_phases(config, readings, charger) and result.pilot_a:
                assert charger.charger_id not in fresh or result.not_following
