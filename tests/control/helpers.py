"""Builders for the control loop's tests."""

from __future__ import annotations

from custom_components.tesla_power_mgmt.control import (
    ControlConfig,
    ControlState,
    CurrentNumber,
    Outcome,
    Plan,
    SetCharging,
    SetCurrent,
    VehicleInput,
    plan,
    settle,
)
from custom_components.tesla_power_mgmt.engine import (
    ChargerDecision,
    Decision,
    EngineState,
    LimitReason,
)

CONFIG = ControlConfig()


def choice(
    charger_id: str = "c0", pilot_a: int = 16, reason: LimitReason | None = None
) -> ChargerDecision:
    """A decision for one charger."""
    if reason is None:
        reason = LimitReason.PANEL_HEADROOM if pilot_a else LimitReason.WAITING_FOR_6A
    return ChargerDecision(
        charger_id=charger_id,
        pilot_a=pilot_a,
        reason=reason,
        target_a=pilot_a,
        max_current_a=48,
        reserved_a=(float(pilot_a),),
    )


def decision(*choices: ChargerDecision) -> Decision:
    """The engine's decision made of ``choices``."""
    return Decision(
        chargers={c.charger_id: c for c in choices},
        network_current_a=(0.0,),
        available_current_a=(None,),
        panel_headroom_a=None,
        home_load_a=None,
        outage_power_w=None,
        stale_inputs=frozenset(),
        state=EngineState.initial(),
    )


def vehicle(
    charger_id: str = "c0",
    value: float | None = 32,
    *,
    minimum: float = 0,
    maximum: float = 48,
    switch_on: bool | None = True,
    plugged_in: bool | None = True,
    measured_a: float | None = None,
) -> VehicleInput:
    """A plugged-in vehicle with a Tesla Fleet-like number and a switch."""
    drawing = (value or 0.0) if switch_on is not False else 0.0
    return VehicleInput(
        charger_id=charger_id,
        number=CurrentNumber(value, minimum, maximum, 1),
        switch_on=switch_on,
        plugged_in=plugged_in,
        measured_a=drawing if measured_a is None else measured_a,
    )


def shown(before: VehicleInput, outcome: Outcome) -> VehicleInput:
    """The vehicle's entities after the commands, as an optimistic integration shows."""
    number, switch_on = before.number, before.switch_on
    for command in outcome.done:
        if isinstance(command, SetCharging):
            switch_on = command.on
        elif number is not None:
            number = CurrentNumber(
                command.value_a, number.minimum, number.maximum, number.step
            )
    return VehicleInput(
        before.charger_id, number, switch_on, before.plugged_in, before.measured_a
    )


def run(
    made: Decision,
    vehicles: dict[str, VehicleInput],
    state: ControlState,
    now: float,
    config: ControlConfig = CONFIG,
) -> tuple[Plan, ControlState, dict[str, VehicleInput]]:
    """Plan, send every command successfully, and show the result."""
    planned = plan(made, vehicles, state, now, config)
    state = planned.state
    after = dict(vehicles)
    for charger_id, commands in planned.commands.items():
        outcome = Outcome(charger_id, commands)
        state = settle(state, outcome, now, config)
        after[charger_id] = shown(vehicles[charger_id], outcome)
    return planned, state, after


def values(planned: Plan, charger_id: str = "c0") -> list[int]:
    """The values written to a vehicle's number in a plan."""
    return [
        c.value_a
        for c in planned.commands.get(charger_id, ())
        if isinstance(c, SetCurrent)
    ]


def switches(planned: Plan, charger_id: str = "c0") -> list[bool]:
    """The switch commands sent to a vehicle in a plan."""
    return [
        c.on for c in planned.commands.get(charger_id, ()) if isinstance(c, SetCharging)
    ]
