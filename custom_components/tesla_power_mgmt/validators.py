"""The one place that decides whether a value a user gives may be used.

Flows, options, services, number entities and the check of a saved
configuration all call these, so a value that is not a finite number in
range, or a host that is not exactly one address, never reaches the engine.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
import math
import re
from typing import Any

import idna

from .const import (
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_INCREASE_DEADBAND,
    CONF_INCREASE_INTERVAL,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_NOT_DRAWING_AFTER,
    CONF_OUTAGE_MARGIN,
    CONF_PANEL_LIMIT,
    CONF_POWERWALL_UNITS,
    CONF_RESUME_DELAY,
    CONF_ROTATION_INTERVAL,
    CONF_SAFETY_MARGIN,
    CONF_SCAN_INTERVAL,
    CONF_STALE_FALLBACK,
    MAX_BREAKER,
    MAX_SCAN_INTERVAL,
    MIN_BREAKER,
    MIN_SCAN_INTERVAL,
    NAMEPLATE_CURRENT,
)
from .engine import MIN_CURRENT_A, Region, charger_max_current


class InvalidValueError(ValueError):
    """A value refused, with the translation key and placeholders saying why."""

    def __init__(self, key: str, **placeholders: str) -> None:
        """Keep the reason for the form, service or repair that shows it."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True, slots=True)
class Amount:
    """A number field: its bounds, its unit, and whether only whole units count."""

    low: float
    high: float
    unit: str | None = None
    whole: bool = True
    step: float = 1

    def check(self, value: Any) -> float:
        """Return the value if it is a finite number in range, else raise."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueError("not_a_number")
        # A huge int is exact: compare it as is (float() of it can overflow).
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValueError("not_finite")
        if self.whole and isinstance(value, float) and not value.is_integer():
            raise InvalidValueError("not_whole", unit=self.unit or "")
        if not self.low <= value <= self.high:
            raise InvalidValueError(
                "out_of_range", low=_text(self.low), high=_text(self.high)
            )
        return int(value) if self.whole else float(value)

    def parse(self, value: Any) -> float:
        """Check a value that may come as text (a service call, YAML)."""
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise InvalidValueError("not_a_number") from None
        return self.check(value)

    def bounded(self, low: float | None = None, high: float | None = None) -> Amount:
        """Return the same field with other bounds (a range known only at run time)."""
        return Amount(
            self.low if low is None else low,
            self.high if high is None else high,
            self.unit,
            self.whole,
            self.step,
        )


VOLTAGE = Amount(100, 480, "V")
BREAKER = Amount(MIN_BREAKER, MAX_BREAKER, "A")
PORT = Amount(1, 65535)
PRIORITY = Amount(0, 10)
BOOST_MINUTES = Amount(1, 24 * 60, "min")
POWER_LEVEL = Amount(MIN_CURRENT_A, max(NAMEPLATE_CURRENT.values()), "A")
NETWORK_LIMIT = Amount(MIN_CURRENT_A, 2000, "A")
PANEL_LIMIT = Amount(10, 1000, "A")
SAFETY_MARGIN = Amount(0, 50, "A")
CHARGING_THRESHOLD = Amount(0, 100, "%")
DISCHARGE_CAPABILITY = Amount(1, 30, "kW", whole=False, step=0.1)

# Every numeric site option, by key: the form and the saved-config check agree.
OPTION_AMOUNTS: Mapping[str, Amount] = {
    CONF_SCAN_INTERVAL: Amount(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, "s"),
    CONF_PANEL_LIMIT: PANEL_LIMIT,
    CONF_SAFETY_MARGIN: SAFETY_MARGIN,
    CONF_NETWORK_LIMIT: NETWORK_LIMIT,
    CONF_DISCHARGE_CAPABILITY: DISCHARGE_CAPABILITY,
    CONF_POWERWALL_UNITS: Amount(1, 10),
    CONF_CHARGING_THRESHOLD: CHARGING_THRESHOLD,
    CONF_OUTAGE_MARGIN: Amount(0, 50, "%"),
    CONF_METER_STALE: Amount(5, 300, "s"),
    CONF_INCREASE_INTERVAL: Amount(10, 600, "s"),
    CONF_INCREASE_DEADBAND: Amount(1, 10, "A"),
    CONF_RESUME_DELAY: Amount(0, 1800, "s"),
    CONF_ROTATION_INTERVAL: Amount(60, 7200, "s"),
    CONF_NOT_DRAWING_AFTER: Amount(60, 3600, "s"),
    CONF_STALE_FALLBACK: Amount(0, 80, "A"),
}


def smallest_breaker(region: Region) -> int:
    """Return the smallest breaker that still lets a charger give 6 A."""
    return next(
        amps
        for amps in range(MIN_BREAKER, MAX_BREAKER + 1)
        if charger_max_current(region, amps, NAMEPLATE_CURRENT[region]) >= MIN_CURRENT_A
    )


def breaker(value: Any, region: Region) -> int:
    """Return a breaker rating in whole amps that allows at least 6 A."""
    low = smallest_breaker(region)
    try:
        amps = int(BREAKER.check(value))
    except InvalidValueError as err:
        if err.key != "out_of_range":
            raise
        amps = 0
    if amps < low:
        raise InvalidValueError(
            "breaker_too_small", low=str(low), high=_text(BREAKER.high)
        )
    return amps


# RFC 1123 labels, ASCII only: letters, digits, inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*", re.ASCII)
# A last label a resolver could read as a number (inet_aton: 2130706433, 0x7f).
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.ASCII)


def host(value: Any) -> str:
    """Return an IPv4 dotted quad, an IPv6 address or an ASCII host name.

    A non-ASCII name is IDNA 2008 encoded without mapping, so look-alikes
    (long s for ``s``, the Kelvin sign for ``k``) are refused, never folded.
    """
    if not isinstance(value, str) or not (text := value.strip()):
        raise InvalidValueError("invalid_host")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        if "%" in str(address):  # a zone id has no place in a URL host
            raise InvalidValueError("invalid_host")
        return str(address)
    text = "".join(char.lower() if char.isascii() else char for char in text)
    if not text.isascii():
        try:
            text = idna.encode(text, uts46=False).decode("ascii")
        except idna.IDNAError, UnicodeError:
            raise InvalidValueError("invalid_host") from None
    if (
        len(text) > 253
        or not _HOSTNAME.fullmatch(text)
        or _NUMERIC_LABEL.fullmatch(text.rsplit(".", 1)[-1])
    ):
        raise InvalidValueError("invalid_host")
    return text


def amounts(
    user_input: Mapping[str, Any], fields: Mapping[str, Amount]
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Check a form's number fields: (cleaned input, errors, placeholders).

    An empty field stays out; the placeholders are those of the first error.
    """
    cleaned = dict(user_input)
    errors: dict[str, str] = {}
    placeholders: dict[str, str] = {}
    for key, amount in fields.items():
        if user_input.get(key) is None:
            cleaned.pop(key, None)
            continue
        try:
            cleaned[key] = amount.check(user_input[key])
        except InvalidValueError as err:
            errors[key] = err.key
            placeholders = placeholders or err.placeholders
    return cleaned, errors, placeholders
