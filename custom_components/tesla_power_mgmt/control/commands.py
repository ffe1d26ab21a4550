"""The commands one wish takes, given what the vehicle's entities show.

Nothing is written that would change nothing; a rise (a higher value, or a
resume) waits ``min_rise_interval_s`` after the previous rise; a switch the
loop did not turn off is never turned on; a unit that was not read lets
only commands that lower the vehicle through.
"""

from __future__ import annotations

from dataclasses import replace

from .model import (
    Command,
    ControlConfig,
    PausedBy,
    SetCharging,
    SetCurrent,
    VehicleInput,
    VehicleState,
)
from .wish import Charge, Pause, Release, Wish


def observe(memory: VehicleState, vehicle: VehicleInput) -> VehicleState:
    """Return the memory updated with what the switch shows now.

    The switch seen going from on to off when the loop did not turn it off
    is the user's pause; seen going on (or on while no switch-off of ours
    stands) ends any pause. A state that lags a command of ours is neither.
    """
    if memory.in_flight:
        return memory
    shown = vehicle.switch_on
    paused_by, switch_sent = memory.paused_by, memory.switch_sent
    if shown is True and (memory.switch_seen is False or switch_sent is not False):
        paused_by = None
        switch_sent = None if memory.switch_seen is False else switch_sent
    elif shown is False and memory.switch_seen is True and switch_sent is not False:
        paused_by = PausedBy.USER
    return replace(
        memory, paused_by=paused_by, switch_sent=switch_sent, switch_seen=shown
    )


def commands(
    wished: Wish, vehicle: VehicleInput, memory: VehicleState, config: ControlConfig
) -> tuple[Command, ...]:
    """Return the commands that bring the vehicle to ``wished`` (no pacing yet)."""
    match wished:
        case Release():
            return _release(vehicle, memory)
        case Pause():
            return pause(vehicle, memory)
        case Charge(value_a=value):
            return _charge(value, vehicle, memory, config)


def _release(vehicle: VehicleInput, memory: VehicleState) -> tuple[Command, ...]:
    if memory.paused_by is PausedBy.US and vehicle.switch_on is not None:
        return (SetCharging(vehicle.charger_id, on=True),)
    return ()


def pause(vehicle: VehicleInput, memory: VehicleState) -> tuple[Command, ...]:
    """Return the commands that stop the vehicle: its switch, else its minimum."""
    if vehicle.switch_on is not None:
        if memory.switch_sent is False or (
            memory.switch_sent is None and not vehicle.switch_on
        ):
            return ()
        return (SetCharging(vehicle.charger_id, on=False),)
    number = vehicle.number
    if number is None:
        return ()
    lowest = number.lowest_a
    if memory.sent_a == lowest or (memory.sent_a is None and number.value == lowest):
        return ()
    return (SetCurrent(vehicle.charger_id, lowest, pauses=True),)


def _charge(
    value: int, vehicle: VehicleInput, memory: VehicleState, config: ControlConfig
) -> tuple[Command, ...]:
    resume = memory.paused_by is PausedBy.US
    out: list[Command] = []
    if resume and vehicle.switch_on is None:
        # Paused through the number: setting it is the resume.
        out.append(
            SetCurrent(vehicle.charger_id, value, _repeat(value, config), resumes=True)
        )
        return tuple(out)
    if _needs_write(value, vehicle, memory, config):
        out.append(SetCurrent(vehicle.charger_id, value, _repeat(value, config)))
    if resume and vehicle.switch_on is not None:
        out.append(SetCharging(vehicle.charger_id, on=True))
    return tuple(out)


def _needs_write(
    value: int, vehicle: VehicleInput, memory: VehicleState, config: ControlConfig
) -> bool:
    """Return whether ``value`` must be written: not known to be the car's setting.

    Known means written by the loop, or shown by the entity while the Wall
    Connector measures nothing above it (the state alone proves nothing).
    """
    if memory.sent_a is not None:
        return memory.sent_a != value
    number = vehicle.number
    shown = None if number is None else number.value
    return shown != value or vehicle.measured_a > value + config.follow_tolerance_a


def _repeat(value: int, config: ControlConfig) -> int:
    return 2 if value < config.min_command_a else 1


def rises(command: Command, vehicle: VehicleInput, memory: VehicleState) -> bool:
    """Return whether the command may let the vehicle draw more than now."""
    if isinstance(command, SetCharging):
        return command.on
    if command.resumes:
        return True
    if memory.sent_a is not None:
        return command.value_a > memory.sent_a
    shown = None if vehicle.number is None else vehicle.number.value
    return shown is None or command.value_a > shown


def paced(
    out: tuple[Command, ...],
    vehicle: VehicleInput,
    memory: VehicleState,
    now: float,
    config: ControlConfig,
) -> tuple[Command, ...]:
    """Return the commands that may go now: rises are spaced, blind units only lower.

    Held commands are planned again at the next evaluation.
    """
    if memory.in_flight or now < memory.backoff.retry_at:
        return ()
    if vehicle.plugged_in is False:
        return ()
    if not any(rises(c, vehicle, memory) for c in out):
        return out
    if vehicle.plugged_in is None:
        return tuple(c for c in out if not rises(c, vehicle, memory))
    if now - memory.last_rise_at < config.min_rise_interval_s:
        return tuple(c for c in out if not rises(c, vehicle, memory))
    return out
