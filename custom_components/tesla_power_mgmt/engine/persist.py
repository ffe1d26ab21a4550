"""``EngineState`` to and from a JSON-able dict, to survive a reload or a restart.

Times are the caller's clock (epoch seconds in the integration), so they keep
their meaning after a restart. An unlimited capacity is stored as ``None``.
Anything malformed is dropped, charger by charger: as after a fresh start.
"""

from __future__ import annotations

from collections.abc import Mapping
import math
from types import MappingProxyType
from typing import Any

from .cadence import LONGEST_INTERVAL_S, NO_CADENCE, Cadence
from .model import LimitReason
from .state import (
    ChargerMemory,
    Clocks,
    EngineState,
    Following,
    Lag,
    NotDrawing,
    Queue,
    Step,
)

VERSION = 1

_CLOCKS = ("room_since", "rise_since")
_QUEUE = ("waiting_since", "turn_since")
_FOLLOWING = ("over_since", "following_since")
_NOT_DRAWING = ("below_since", "capped_at")


def state_to_dict(state: EngineState) -> dict[str, Any]:
    """Return the state as plain JSON types (dicts, lists, numbers, strings)."""
    return {
        "version": VERSION,
        "outage_holding": state.outage_holding,
        "meter": _cadence_to_dict(state.meter),
        "powerwall": _cadence_to_dict(state.powerwall),
        "chargers": {
            charger_id: _memory_to_dict(memory)
            for charger_id, memory in state.chargers.items()
        },
    }


def _memory_to_dict(memory: ChargerMemory) -> dict[str, Any]:
    """Return one charger's memory as plain JSON types."""
    return {
        "pilot_a": memory.pilot_a,
        "reason": memory.reason.value,
        "changed_at": memory.changed_at,
        "queue": {key: getattr(memory.queue, key) for key in _QUEUE},
        "clocks": {key: getattr(memory.clocks, key) for key in _CLOCKS},
        "following": {
            **{key: getattr(memory.following, key) for key in _FOLLOWING},
            "not_following": memory.following.not_following,
        },
        "not_drawing": {
            **{key: getattr(memory.not_drawing, key) for key in _NOT_DRAWING},
            "cap_a": memory.not_drawing.cap_a,
        },
        "lag": {
            "rise": _step_to_dict(memory.lag.rise),
            "fall": _step_to_dict(memory.lag.fall),
        },
    }


def _step_to_dict(step: Step | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "at": step.at,
        "capacity_a": [None if math.isinf(a) else a for a in step.capacity_a],
        "drawn_a": list(step.drawn_a),
    }


def state_from_dict(data: Any) -> EngineState:
    """Return the state stored by ``state_to_dict``; what is malformed is dropped."""
    if not isinstance(data, Mapping) or data.get("version") != VERSION:
        return EngineState.initial()
    chargers: dict[str, ChargerMemory] = {}
    stored = data.get("chargers")
    for charger_id, value in stored.items() if isinstance(stored, Mapping) else ():
        try:
            chargers[str(charger_id)] = _memory_from_dict(value)
        except KeyError, TypeError, ValueError:
            continue  # as after a fresh start, for this charger only
    return EngineState(
        chargers=MappingProxyType(chargers),
        outage_holding=data.get("outage_holding") is True,
        meter=_cadence(data.get("meter")),
        powerwall=_cadence(data.get("powerwall")),
    )


def _cadence_to_dict(cadence: Cadence) -> dict[str, Any]:
    return {"last_at": cadence.last_at, "interval_s": cadence.interval_s}


def _cadence(data: Any) -> Cadence:
    """Rebuild a learned cadence; anything malformed is learned again."""
    try:
        return Cadence(
            last_at=_optional_time(data["last_at"]),
            interval_s=min(max(_time(data["interval_s"]), 0.0), LONGEST_INTERVAL_S),
        )
    except KeyError, TypeError, ValueError:
        return NO_CADENCE


def _memory_from_dict(data: Mapping[str, Any]) -> ChargerMemory:
    """Rebuild one charger's memory; raise on anything out of place."""
    pilot = data["pilot_a"]
    if not isinstance(pilot, int) or isinstance(pilot, bool) or not 0 <= pilot <= 1000:
        raise ValueError(pilot)
    following, not_drawing = data["following"], data["not_drawing"]
    cap = not_drawing["cap_a"]
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool)):
        raise TypeError(cap)
    return ChargerMemory(
        pilot_a=pilot,
        reason=LimitReason(data["reason"]),
        changed_at=_time(data["changed_at"]),
        queue=Queue(*(_optional_time(data["queue"][key]) for key in _QUEUE)),
        clocks=Clocks(*(_optional_time(data["clocks"][key]) for key in _CLOCKS)),
        following=Following(
            over_since=_optional_time(following["over_since"]),
            not_following=following["not_following"] is True,
            following_since=_optional_time(following["following_since"]),
        ),
        not_drawing=NotDrawing(
            below_since=_optional_time(not_drawing["below_since"]),
            cap_a=cap,
            capped_at=_optional_time(not_drawing["capped_at"]),
        ),
        lag=Lag(_step(data["lag"]["rise"]), _step(data["lag"]["fall"])),
    )


def _step(data: Any) -> Step | None:
    if data is None:
        return None
    return Step(
        at=_time(data["at"]),
        capacity_a=tuple(
            math.inf if a is None else _time(a) for a in data["capacity_a"]
        ),
        drawn_a=tuple(_time(a) for a in data["drawn_a"]),
    )


def _time(value: Any) -> float:
    """Return a finite number (a time or a current); raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    if not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def _optional_time(value: Any) -> float | None:
    return None if value is None else _time(value)
