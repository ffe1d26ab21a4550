"""One pass of the control loop: decide the commands, then fold their outcome in.

``plan`` is pure: the caller sends what it returns, then calls ``settle``
with each vehicle's ``Outcome``. A vehicle with commands running gets no
more until they are settled, so a burst of evaluations never queues stale
ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from custom_components.tesla_power_mgmt.engine import ChargerReading, Decision

from . import backoff
from .commands import commands, observe, paced, rises
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
    VehicleInput,
    VehicleState,
)
from .wish import Pause, Release, wish


def vehicle_input(
    reading: ChargerReading, number: CurrentNumber | None, switch_on: bool | None
) -> VehicleInput:
    """Return a vehicle as the loop sees it: plug and draw from its Wall Connector."""
    return VehicleInput(
        charger_id=reading.charger_id,
        number=number,
        switch_on=switch_on,
        plugged_in=reading.vehicle_connected if reading.reachable else None,
        measured_a=max(reading.current_a, default=0.0),
    )


def plan(
    decision: Decision,
    vehicles: Mapping[str, VehicleInput],
    state: ControlState,
    now: float,
    config: ControlConfig,
    *,
    enabled: bool = True,
) -> Plan:
    """Return the commands for every vehicle with control entities, and the state."""
    out: dict[str, tuple[Command, ...]] = {}
    limited: set[str] = set()
    cannot_pause: set[str] = set()
    for charger_id, vehicle in vehicles.items():
        choice = decision.chargers.get(charger_id)
        if choice is None:
            continue
        memory = _plugged(observe(state.vehicle(charger_id), vehicle), vehicle)
        wished = wish(choice, vehicle.number, config, enabled=enabled)
        if not isinstance(wished, Release) and wished.limited_by_vehicle:
            limited.add(charger_id)
        if isinstance(wished, Pause) and not _can_pause(vehicle, config):
            cannot_pause.add(charger_id)
        sent = paced(
            commands(wished, vehicle, memory, config), vehicle, memory, now, config
        )
        if sent:
            out[charger_id] = sent
            memory = _issued(memory, sent, vehicle, now)
        state = state.with_vehicle(charger_id, memory)
    return Plan(
        commands=out,
        state=state,
        limited_by_vehicle=frozenset(limited),
        cannot_pause=frozenset(cannot_pause),
        failing=failing(state, now, config),
    )


def _plugged(memory: VehicleState, vehicle: VehicleInput) -> VehicleState:
    """Forget the vehicle's session once its unit reads no vehicle (not its backoff)."""
    if vehicle.plugged_in is False:
        return VehicleState(switch_seen=vehicle.switch_on, backoff=memory.backoff)
    return memory


def _can_pause(vehicle: VehicleInput, config: ControlConfig) -> bool:
    if vehicle.switch_on is not None:
        return True
    return vehicle.number is not None and (
        vehicle.number.lowest_a < config.min_command_a
    )


def _issued(
    memory: VehicleState, sent: tuple[Command, ...], vehicle: VehicleInput, now: float
) -> VehicleState:
    rise = any(rises(c, vehicle, memory) for c in sent)
    return replace(
        memory,
        in_flight=True,
        last_rise_at=now if rise else memory.last_rise_at,
    )


def settle(
    state: ControlState, outcome: Outcome, now: float, config: ControlConfig
) -> ControlState:
    """Return the state once a vehicle's commands are done or one has failed.

    A failed value is never taken as written: the vehicle keeps what it had.
    """
    memory = state.vehicle(outcome.charger_id)
    for command in outcome.done:
        memory = _done(memory, command, now)
    if outcome.failed is not None:
        memory = replace(memory, backoff=backoff.failed(memory.backoff, now, config))
    elif outcome.done:
        memory = replace(memory, backoff=Backoff())
    return state.with_vehicle(outcome.charger_id, replace(memory, in_flight=False))


def _done(memory: VehicleState, command: Command, now: float) -> VehicleState:
    resumed_at = memory.resumed_at
    if isinstance(command, SetCharging):
        if command.on and memory.paused_by is PausedBy.US:
            resumed_at = now
        return replace(
            memory,
            paused_by=None if command.on else PausedBy.US,
            switch_sent=command.on,
            switch_seen=None,
            resumed_at=resumed_at,
        )
    paused_by = memory.paused_by
    if command.pauses:
        paused_by = PausedBy.US
    elif command.resumes:
        paused_by = None
        resumed_at = now
    return replace(
        memory, sent_a=command.value_a, paused_by=paused_by, resumed_at=resumed_at
    )


def failing(state: ControlState, now: float, config: ControlConfig) -> frozenset[str]:
    """Return the vehicles whose commands have failed for ``repair_after_s``."""
    return frozenset(
        charger_id
        for charger_id, memory in state.vehicles.items()
        if backoff.failing_for(memory.backoff, now) >= config.repair_after_s
    )
