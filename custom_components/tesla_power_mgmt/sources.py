"""Read the meter and Powerwall from Home Assistant states, distrusting them.

A state counts only as a finite number in a known unit, inside a plausible
range. Text, ``unavailable``, an unknown unit, a negative current or an absurd
value is treated as no report at all: the last good value is kept with the
time it was reported (``State.last_reported``), so it ages and the engine
falls back to a safe budget once it is stale.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import math

from homeassistant.const import UnitOfElectricCurrent, UnitOfPower
from homeassistant.core import State

_POWER_W: dict[str, float] = {
    UnitOfPower.MILLIWATT: 0.001,
    UnitOfPower.WATT: 1.0,
    UnitOfPower.KILO_WATT: 1000.0,
    UnitOfPower.MEGA_WATT: 1_000_000.0,
}
_CURRENT_A: dict[str, float] = {
    UnitOfElectricCurrent.MILLIAMPERE: 0.001,
    UnitOfElectricCurrent.AMPERE: 1.0,
}
# Solar inverters and load meters read a little below zero at night.
_NOISE_W = 200.0

_GRID_UP = {"on", "true", "connected", "on_grid", "systemgridconnected"}
# Transitions count as islanded: the battery carries the home until synced.
_GRID_DOWN = {
    "off",
    "false",
    "disconnected",
    "off_grid",
    "islanded",
    "systemislandedactive",
    "systemislandedready",
    "systemtransitiontoisland",
    "systemtransitiontogrid",
}


@dataclass(frozen=True, slots=True)
class Sample[T]:
    """A trusted value and when its source last reported it (epoch seconds)."""

    value: T
    at: float


def _number(state: State | None, scale: Mapping[str, float]) -> float | None:
    """Return the state as a number in the base unit, or None if untrustworthy."""
    if state is None:
        return None
    factor = scale.get(state.attributes.get("unit_of_measurement") or "")
    if factor is None:
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    return value * factor if math.isfinite(value) else None


def power_w(state: State | None, limit_w: float) -> Sample[float] | None:
    """Return a signed power (import positive) no larger than ``limit_w``."""
    value = _number(state, _POWER_W)
    if value is None or abs(value) > limit_w or state is None:
        return None
    return Sample(value, state.last_reported_timestamp)


def unsigned_power_w(state: State | None, limit_w: float) -> Sample[float] | None:
    """Return a power that cannot be negative (solar, load); noise reads 0."""
    value = _number(state, _POWER_W)
    if value is None or not -_NOISE_W <= value <= limit_w or state is None:
        return None
    return Sample(max(value, 0.0), state.last_reported_timestamp)


def current_a(state: State | None, limit_a: float) -> Sample[float] | None:
    """Return a current magnitude between 0 and ``limit_a``."""
    value = _number(state, _CURRENT_A)
    if value is None or not 0.0 <= value <= limit_a or state is None:
        return None
    return Sample(value, state.last_reported_timestamp)


def percentage(state: State | None) -> Sample[float] | None:
    """Return a battery level between 0 and 100 %."""
    value = _number(state, {"%": 1.0})
    if value is None or not 0.0 <= value <= 100.0 or state is None:
        return None
    return Sample(value, state.last_reported_timestamp)


def grid_up(state: State | None) -> Sample[bool] | None:
    """Return whether the grid is up, from a binary or a status text sensor."""
    if state is None:
        return None
    text = state.state.strip().lower()
    if text in _GRID_UP:
        return Sample(True, state.last_reported_timestamp)
    if text in _GRID_DOWN:
        return Sample(False, state.last_reported_timestamp)
    return None
