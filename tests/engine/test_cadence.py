"""A meter's learned cadence: slow is not stale, and a late reading holds more back.

Properties over generated report times and EV currents, then the engine's
behaviour with a slow meter, a late one and one that stops.
"""

from hypothesis import given, settings, strategies as st

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    EngineState,
    LimitReason,
    MeterReading,
    Readings,
    SiteConfig,
    SiteInput,
    Timing,
    evaluate,
)
from custom_components.tesla_power_mgmt.engine.cadence import (
    INTERVALS_BEFORE_STALE,
    LONGEST_INTERVAL_S,
    NO_CADENCE,
    learn,
    stale_after,
    unseen_rise_a,
)

CADENCE_SETTINGS = settings(max_examples=300, deadline=None)
gaps = st.lists(st.floats(0.0, 3600.0, allow_nan=False), min_size=1, max_size=40)


def _meter(at: float) -> MeterReading:
    return MeterReading(at=at, phase_current_a=(10.0,))


def _learned(report_gaps: list[float]):
    cadence, at = NO_CADENCE, 0.0
    for gap in report_gaps:
        at += gap
        cadence = learn(cadence, _meter(at))
    return cadence


@CADENCE_SETTINGS
@given(gaps)
def test_learned_interval_is_bounded(report_gaps: list[float]) -> None:
    """Whatever the reports, the interval lies within what a gap can teach."""
    cadence = _learned(report_gaps)
    assert 0.0 <= cadence.interval_s <= LONGEST_INTERVAL_S
    assert stale_after(cadence, 30.0) <= max(
        30.0, INTERVALS_BEFORE_STALE * LONGEST_INTERVAL_S
    )


@CADENCE_SETTINGS
@given(
    st.floats(1.0, LONGEST_INTERVAL_S),
    st.integers(2, 30),
    st.floats(0.0, 1.0),
    st.floats(5.0, 60.0),
)
def test_regular_reports_are_never_stale(
    interval: float, count: int, jitter: float, grace: float
) -> None:
    """A meter reporting every T (up to 60 s, +-20 %) is not stale before its next."""
    report_gaps = [interval * (0.8 + 0.4 * ((i * jitter) % 1.0)) for i in range(count)]
    cadence = _learned([0.0, *report_gaps])
    assert stale_after(cadence, grace) > interval * 1.2


@CADENCE_SETTINGS
@given(st.floats(0.0, 600.0), st.floats(0.0, 600.0), st.floats(0.0, 10.0), gaps)
def test_reserve_grows_with_age(
    age: float, later: float, rate: float, report_gaps: list[float]
) -> None:
    """An older reading never holds back less, nor more than the rate over its age."""
    cadence = _learned(report_gaps)
    assert unseen_rise_a(cadence, age, rate) <= unseen_rise_a(
        cadence, age + later, rate
    )
    most = rate * max(age, cadence.interval_s) / 60.0
    assert 0 <= unseen_rise_a(cadence, age, rate) <= most


def test_learn_keeps_the_cadence_of_the_same_report() -> None:
    """A report seen again teaches nothing; a clock going back starts over."""
    first = learn(NO_CADENCE, _meter(100.0))
    second = learn(first, _meter(140.0))
    assert second.interval_s == 40.0
    assert learn(second, _meter(140.0)).interval_s == 40.0
    assert learn(second, _meter(50.0)).interval_s == 0.0
    assert learn(second, None) == NO_CADENCE


def _site() -> SiteConfig:
    return SiteConfig(
        chargers=(ChargerConfig("wc", max_current_a=32),),
        panel_limit_a=60.0,
        panel_margin_a=0.0,
        timing=Timing(),
    )


def _run(report_every_s: float, until_s: float, stop_at: float | None = None) -> list:
    """Evaluate every 5 s; the car draws its pilot, the meter reports every T.

    The meter shows 20 A of home load plus what the car drew at its report.
    """
    config, state, decisions = _site(), EngineState.initial(), []
    report, drawn = MeterReading(at=0.0, phase_current_a=(20.0,)), 0.0
    for tick in range(int(until_s // 5) + 1):
        now = tick * 5.0
        due = now - report.at >= report_every_s
        if due and (stop_at is None or now < stop_at):
            report = MeterReading(at=now, phase_current_a=(20.0 + drawn,))
        car = ChargerReading(
            "wc",
            at=now,
            vehicle_connected=True,
            vehicle_wants_current=True,
            current_a=(drawn,),
        )
        decision = evaluate(config, Readings(chargers=(car,), meter=report), state, now)
        state, drawn = decision.state, float(decision.chargers["wc"].pilot_a)
        decisions.append((now, decision))
    return decisions


def test_a_meter_reporting_every_40_s_is_never_stale() -> None:
    """Once its cadence is learned a 40 s meter keeps the car at full current."""
    decisions = _run(40.0, 1200.0)
    late = [d for now, d in decisions if now > 45.0]
    assert all(SiteInput.METER not in d.stale_inputs for d in late)
    assert all(d.chargers["wc"].pilot_a == 32 for d in late[-100:])


def test_a_meter_that_stops_is_stale_within_three_intervals() -> None:
    """The last report is at 560 s: stale after 560 + 3 x 40 s, the car at 6 A."""
    decisions = _run(40.0, 900.0, stop_at=600.0)
    stale_at = min(
        now for now, d in decisions if now > 45.0 and SiteInput.METER in d.stale_inputs
    )
    assert 560.0 + 3 * 40.0 < stale_at <= 560.0 + 3 * 40.0 + 5.0
    last = decisions[-1][1].chargers["wc"]
    assert last.pilot_a == 6
    assert last.reason is LimitReason.STALE_INPUT


def test_a_late_reading_holds_back_more() -> None:
    """On time nothing is held back; 60 s late, 3 A (3 A per minute late)."""
    decisions = _run(40.0, 900.0, stop_at=600.0)
    headroom = {now: d.panel_headroom_a for now, d in decisions}
    on_time, late = headroom[600.0], headroom[660.0]
    assert on_time is not None
    assert late is not None
    assert late[0] == on_time[0] - 3.0
