"""Static limits and the network limit rules, with Tesla's documented examples."""

import doctest

import pytest

from custom_components.tesla_power_mgmt.engine import (
    Region,
    charger_max_current,
    fallback_limit,
    limits,
    network_limit_range,
    validate_network_limit,
)


@pytest.mark.parametrize(
    ("region", "breaker", "nameplate", "level", "expected"),
    [
        (Region.NEC, 60, 48, None, 48),
        (Region.NEC, 50, 48, None, 40),
        (Region.NEC, 40, 48, None, 32),
        (Region.NEC, 15, 48, None, 12),
        (Region.NEC, 60, 48, 24, 24),
        (Region.IEC, 32, 32, None, 32),
        (Region.IEC, 25, 32, None, 25),
        (Region.IEC, 20, 16, None, 16),
        (Region.IEC, 40, 32, 10, 10),
        (Region.IEC, 0, 32, None, 0),
    ],
)
def test_charger_max_current(region, breaker, nameplate, level, expected):
    assert charger_max_current(region, breaker, nameplate, level) == expected


def test_six_48_a_units_allow_36_to_288_a():
    assert network_limit_range([48] * 6) == (36, 288)
    validate_network_limit(36, [48] * 6)
    validate_network_limit(288, [48] * 6)
    with pytest.raises(ValueError, match="outside 36 A to 288 A"):
        validate_network_limit(35, [48] * 6)
    with pytest.raises(ValueError, match="outside"):
        validate_network_limit(289, [48] * 6)


def test_breakers_32_32_25_20_bound_their_own_units():
    maxes = [charger_max_current(Region.IEC, b, 32) for b in (32, 32, 25, 20)]
    assert maxes == [32, 32, 25, 20]
    assert network_limit_range(maxes) == (24, 109)


def test_fallback_limit_is_network_limit_over_size_bounded_to_one_unit():
    assert fallback_limit(100, 4, 32) == 25
    assert fallback_limit(100, 4, 20) == 20
    assert fallback_limit(288, 6, 48) == 48
    assert fallback_limit(36, 6, 48) == 6
    assert fallback_limit(80, 3, 48) == 26
    assert fallback_limit(80, 0, 48) == 48
    assert fallback_limit(-5, 2, 48) == 0


def test_doctests():
    assert doctest.testmod(limits).failed == 0
