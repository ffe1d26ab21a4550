"""What the pilot means for one vehicle's entities: release, pause or a value."""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.tesla_power_mgmt.engine import ChargerDecision, LimitReason

from .model import ControlConfig, CurrentNumber

# Reasons with nothing to command: the vehicle is left to itself.
RELEASED = frozenset({LimitReason.NO_VEHICLE, LimitReason.NOT_MANAGED})


@dataclass(frozen=True, slots=True)
class Release:
    """Leave the vehicle alone; only a pause of ours is undone."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Stop the vehicle's charging."""

    limited_by_vehicle: bool = False


@dataclass(frozen=True, slots=True)
class Charge:
    """Charge at ``value_a``: the pilot within what the entity accepts."""

    value_a: int
    limited_by_vehicle: bool = False


type Wish = Release | Pause | Charge


def wish(
    choice: ChargerDecision,
    number: CurrentNumber | None,
    config: ControlConfig,
    *,
    enabled: bool = True,
) -> Wish:
    """Return what the vehicle should do for this decision."""
    if not enabled or choice.reason in RELEASED:
        return Release()
    if choice.pilot_a <= 0 or number is None:
        return Pause()
    return fit(choice.pilot_a, number, config)


def fit(pilot_a: int, number: CurrentNumber, config: ControlConfig) -> Pause | Charge:
    """Return ``pilot_a`` clamped into the entity's range, or a pause.

    Never above the entity's maximum (reported as limited by the vehicle);
    never raised to its minimum (a pause instead); under ``min_command_a``
    a pause unless the user opted in.
    """
    limited = number.highest_a < pilot_a
    value = number.at_or_below(pilot_a)
    if value < number.lowest_a or value <= 0:
        return Pause(limited_by_vehicle=limited)
    if value < config.min_command_a and not config.allow_below_min_command:
        return Pause(limited_by_vehicle=limited)
    return Charge(value, limited_by_vehicle=limited)
