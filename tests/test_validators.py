"""The validators every flow, service and number uses: numbers and hosts."""

import ipaddress
import math
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.tesla_power_mgmt import validators
from custom_components.tesla_power_mgmt.engine import (
    MIN_CURRENT_A,
    Region,
    charger_max_current,
)
from custom_components.tesla_power_mgmt.validators import (
    Amount,
    InvalidValueError,
)

# Whatever a form, a service call or a hand edit can put where a number goes.
ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from(
        [math.nan, math.inf, -math.inf, 40.5, 80.5, -1, 0, 10**400, True, False]
    ),
    st.none(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)
AMOUNTS = st.sampled_from(
    [
        validators.VOLTAGE,
        validators.BREAKER,
        validators.PORT,
        validators.DISCHARGE_CAPABILITY,
        *validators.OPTION_AMOUNTS.values(),
    ]
)


@given(amount=AMOUNTS, value=ANY_VALUE)
def test_a_number_is_refused_or_exactly_what_was_given(
    amount: Amount, value: Any
) -> None:
    """Never rounded, never non-finite, never out of range, never a bool."""
    try:
        checked = amount.check(value)
    except InvalidValueError as err:
        refused = err.key
    else:
        refused = None
    if refused is not None:
        assert refused in {"not_a_number", "not_finite", "not_whole", "out_of_range"}
        return
    assert not isinstance(value, bool)
    assert math.isfinite(checked)
    assert amount.low <= checked <= amount.high
    assert checked == value
    if amount.whole:
        assert isinstance(checked, int)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (math.nan, "not_finite"),
        (math.inf, "not_finite"),
        (40.5, "not_whole"),
        (80.5, "not_whole"),
        (-1, "out_of_range"),
        (10**400, "out_of_range"),
        ("40", "not_a_number"),
        (True, "not_a_number"),
        (None, "not_a_number"),
    ],
)
def test_breaker_refusals(value: Any, key: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        validators.breaker(value, Region.NEC)
    assert caught.value.key in {key, "breaker_too_small"}
    if key == "out_of_range":
        assert caught.value.key == "breaker_too_small"
        assert caught.value.placeholders == {"low": "8", "high": "100"}
    else:
        assert caught.value.key == key


@pytest.mark.parametrize(("region", "smallest"), [(Region.NEC, 8), (Region.IEC, 6)])
def test_smallest_breaker_gives_six_amps(region: Region, smallest: int) -> None:
    """A 6 or 7 A breaker under NEC would leave 4-5 A: below what a car takes."""
    assert validators.smallest_breaker(region) == smallest
    assert validators.breaker(smallest, region) == smallest
    assert charger_max_current(region, smallest, 48) >= MIN_CURRENT_A
    for too_small in range(6, smallest):
        with pytest.raises(InvalidValueError) as caught:
            validators.breaker(too_small, region)
        assert caught.value.key == "breaker_too_small"
        assert caught.value.placeholders["low"] == str(smallest)


@pytest.mark.parametrize(
    "host",
    [
        "999.1.1.1",
        "1.2.3.4.5",
        "2130706433",
        "0x7f.1",
        "0x7f",
        "192.168.1",
        "192.168.1.020",
        "127.1",
        "\u017ftation.local",  # long s: IDNA 2003 and re.IGNORECASE make it an s
        "wallconnector.\u017f",
        "\u212aitchen.local",  # Kelvin sign: lower() makes it a k
        "\uff11\uff12\uff17.0.0.1",  # fullwidth digits
        "http://192.168.1.20",
        "192.168.1.20:80",
        "192.168.1.20/api",
        "wc garage",
        "wc_garage.local",
        "-wc.local",
        "wc-.local",
        "a..b",
        "tesla.local.",
        "fe80::1%eth0",
        "a" * 64 + ".local",
        ".".join(["abcdefghi"] * 26),  # 259 characters
        "",
        "   ",
    ],
)
def test_hosts_refused(host: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        validators.host(host)
    assert caught.value.key == "invalid_host"


@pytest.mark.parametrize(
    ("host", "stored"),
    [
        ("192.168.1.20", "192.168.1.20"),
        (" 10.0.0.255 ", "10.0.0.255"),
        ("::1", "::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("WallConnector.local", "wallconnector.local"),
        ("wc-garage", "wc-garage"),
        ("münchen.local", "xn--mnchen-3ya.local"),
        ("0x7f.local", "0x7f.local"),
    ],
)
def test_hosts_accepted(host: str, stored: str) -> None:
    assert validators.host(host) == stored


@pytest.mark.parametrize("value", [None, 42, ["192.168.1.20"]])
def test_host_must_be_text(value: Any) -> None:
    with pytest.raises(InvalidValueError):
        validators.host(value)


@given(
    text=st.one_of(
        st.text(max_size=30),
        st.text(alphabet="0123456789abcdefx.:-\u017f\u212a", max_size=20),
    )
)
def test_a_host_is_one_address_in_ascii_or_refused(text: str) -> None:
    """What is stored is an IP address or an ASCII RFC 1123 name, stable."""
    try:
        stored = validators.host(text)
    except InvalidValueError:
        return
    assert stored.isascii()
    assert validators.host(stored) == stored
    try:
        ipaddress.ip_address(stored)
    except ValueError:
        labels = stored.split(".")
        assert all(0 < len(label) <= 63 for label in labels)
        assert not labels[-1].isdigit()
        assert set(stored) <= set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    if not text.strip().isascii():
        # Encoded, never folded: a non-ASCII name becomes an A-label.
        assert "xn--" in stored or ":" in stored


def test_amounts_reports_each_field_and_the_first_range() -> None:
    fields = {"a": Amount(1, 10, "A"), "b": Amount(0, 5)}
    cleaned, errors, placeholders = validators.amounts(
        {"a": 12.0, "b": math.nan, "c": "kept"}, fields
    )
    assert errors == {"a": "out_of_range", "b": "not_finite"}
    assert placeholders == {"low": "1", "high": "10"}
    cleaned, errors, _ = validators.amounts({"a": 4.0, "b": None}, fields)
    assert errors == {}
    assert cleaned == {"a": 4}
    assert isinstance(cleaned["a"], int)


@pytest.mark.parametrize(
    ("text", "result"),
    [("30", 30), ("30.0", 30), ("nan", None), ("1e999", None), ("half", None)],
)
def test_parse_text_as_a_service_gives_it(text: str, result: int | None) -> None:
    if result is None:
        with pytest.raises(InvalidValueError):
            validators.BOOST_MINUTES.parse(text)
    else:
        assert validators.BOOST_MINUTES.parse(text) == result
