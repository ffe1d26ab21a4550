"""Configuration validation and derived values."""

import pytest

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    CircuitConfig,
    EngineState,
    LimitReason,
    OutageConfig,
    Region,
    SiteConfig,
    Timing,
)


def test_from_hardware_derives_the_maximum():
    charger = ChargerConfig.from_hardware(
        "garage", Region.NEC, 50, 48, power_level_a=None, phases=(0,), priority=2
    )
    assert charger.max_current_a == 40
    assert charger.priority == 2
    assert charger.managed
    assert charger.enabled


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"phase_count": 2}, "phase_count"),
        ({"chargers": (ChargerConfig("a"), ChargerConfig("a"))}, "unique"),
        ({"chargers": (ChargerConfig("a", phases=()),)}, "not on site"),
        ({"chargers": (ChargerConfig("a", phases=(1,)),)}, "not on site"),
        ({"chargers": (ChargerConfig("a", phases=(0, 0)),)}, "not on site"),
        ({"chargers": (ChargerConfig("a", max_current_a=5),)}, "below 6 A"),
    ],
)
def test_invalid_site_configs_are_rejected(kwargs, message):
    kwargs.setdefault("chargers", (ChargerConfig("a"),))
    with pytest.raises(ValueError, match=message):
        SiteConfig(**kwargs)


def test_defaults():
    timing = Timing()
    assert timing.rotation_interval_s == 1800
    assert SiteConfig(chargers=()).timing == timing
    assert EngineState.initial() == EngineState()
    assert LimitReason.WAITING_FOR_6A == "waiting_for_6a"
    assert Region.NEC.continuous_fraction == 0.8


@pytest.mark.parametrize(
    ("circuits", "charger_circuit", "message"),
    [
        ((CircuitConfig("g", 10.0), CircuitConfig("g", 20.0)), None, "unique"),
        ((CircuitConfig("g", 10.0, parent="nowhere"),), None, "parent"),
        (
            (CircuitConfig("a", 10.0, parent="b"), CircuitConfig("b", 10.0, "a")),
            None,
            "parent",
        ),
        ((CircuitConfig("g", float("nan")),), None, "limit"),
        ((CircuitConfig("g", -1.0),), None, "limit"),
        ((CircuitConfig("g", 10.0),), "other", "unknown"),
    ],
)
def test_circuits_that_cannot_be_reasoned_about_are_refused(
    circuits, charger_circuit, message
):
    with pytest.raises(ValueError, match=message):
        SiteConfig(
            chargers=(ChargerConfig("a", circuit=charger_circuit),), circuits=circuits
        )


def test_backed_up_phases_must_be_on_site():
    with pytest.raises(ValueError, match="backed-up"):
        SiteConfig(
            chargers=(ChargerConfig("a"),),
            outage=OutageConfig(backed_up_phases=(0, 1, 2)),
        )
