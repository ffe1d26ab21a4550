"""Every limit explained: held rises say so and when; derived figures stay physical."""

from hypothesis import given, settings, strategies as st

from custom_components.tesla_power_mgmt.engine import (
    EngineState,
    LimitReason,
    evaluate,
)

from .test_properties import NOW, PROPERTY_SETTINGS, at, sites


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(sites(), sites(), st.floats(0, 400))
def test_a_rise_held_by_pacing_says_waiting_to_increase_and_when(
    site, history, elapsed
):
    """A pilot kept below its target (not lowered by the fit) names the wait."""
    config, readings = site
    _, earlier = history
    state = EngineState.initial()
    for moment in (NOW - elapsed, NOW - elapsed / 2):
        state = evaluate(config, at(earlier, moment), state, moment).state
    decision = evaluate(config, readings, state, NOW)
    for result in decision.chargers.values():
        if result.reason is LimitReason.WAITING_TO_INCREASE:
            assert result.increase_at is not None
            assert result.increase_at > NOW
            assert 0 < result.pilot_a < result.target_a
        if result.increase_at is not None:
            assert result.reason in {
                LimitReason.WAITING_TO_INCREASE,
                LimitReason.WAITING_FOR_6A,
            }


@settings(PROPERTY_SETTINGS, max_examples=200)
@given(sites())
def test_derived_figures_are_never_negative_nor_above_what_is_there(site):
    """Home load >= 0; headroom <= panel - margin, and in an outage <= its budget."""
    config, readings = site
    decision = evaluate(config, readings, EngineState.initial(), NOW)
    for load in decision.home_load_a or ():
        assert load >= 0.0
    for phase, headroom in enumerate(decision.panel_headroom_a or ()):
        assert config.panel_limit_a is not None
        assert headroom <= config.panel_limit_a - config.panel_margin_a
        if decision.outage_power_w is not None:
            outage_a = decision.outage_power_w / config.voltage_v if phase == 0 else 0
            assert headroom <= outage_a + 1e-9
