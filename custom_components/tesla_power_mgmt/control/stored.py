"""The part of the control state that survives a reload and a restart.

Only what stays true while nothing runs: the value last written and who
paused the vehicle. Timing, backoff and in-flight marks start afresh. A
stored value that is not what it should be is dropped, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import ControlState, PausedBy, VehicleState


def to_stored(state: ControlState) -> dict[str, dict[str, Any]]:
    """Return the state as JSON-ready data."""
    return {
        charger_id: {
            "sent_a": memory.sent_a,
            "paused_by": None if memory.paused_by is None else memory.paused_by.value,
        }
        for charger_id, memory in state.vehicles.items()
        if memory.sent_a is not None or memory.paused_by is not None
    }


def from_stored(data: Any, charger_ids: frozenset[str]) -> ControlState:
    """Return the state stored for the chargers still configured."""
    if not isinstance(data, Mapping):
        return ControlState()
    vehicles = {}
    for charger_id, item in data.items():
        if charger_id in charger_ids and isinstance(item, Mapping):
            vehicles[charger_id] = VehicleState(
                sent_a=_amps(item.get("sent_a")),
                paused_by=_paused_by(item.get("paused_by")),
            )
    return ControlState(vehicles)


def _amps(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
        return value
    return None


def _paused_by(value: Any) -> PausedBy | None:
    try:
        return PausedBy(value)
    except ValueError:
        return None
