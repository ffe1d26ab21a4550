"""The control loop between the engine's decision and each vehicle's entities.

Pure and deterministic, no Home Assistant import: given the ``Decision``,
what each vehicle's number and switch show, its Wall Connector's plug and
measured current, the ``ControlState`` and ``now``, ``plan`` returns the
commands to send and the next state; ``settle`` folds each vehicle's
``Outcome`` in; ``on_stop`` gives the last commands when Home Assistant
stops. The integration's actuator and the benchmark both run it.
"""

from .backoff import delay_s
from .inputs import current_number
from .model import (
    Backoff,
    Command,
    ControlConfig,
    ControlState,
    CurrentNumber,
    Outcome,
    PausedBy,
    Plan,
    SetCharging,
    SetCurrent,
    VehicleInput,
    VehicleState,
)
from .plan import failing, plan, settle, vehicle_input
from .stop import on_stop
from .stored import from_stored, to_stored

__all__ = [
    "Backoff",
    "Command",
    "ControlConfig",
    "ControlState",
    "CurrentNumber",
    "Outcome",
    "PausedBy",
    "Plan",
    "SetCharging",
    "SetCurrent",
    "VehicleInput",
    "VehicleState",
    "current_number",
    "delay_s",
    "failing",
    "from_stored",
    "on_stop",
    "plan",
    "settle",
    "to_stored",
    "vehicle_input",
]
