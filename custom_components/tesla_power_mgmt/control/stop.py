"""What each vehicle is left at when Home Assistant stops: never more than now.

A vehicle is set to min(what it holds now, its fallback limit), so the site
stays within its limits while nothing manages it; a paused vehicle stays
paused, and one whose setting is not known is not touched.
"""

from __future__ import annotations

from collections.abc import Mapping

from custom_components.tesla_power_mgmt.engine import SiteConfig, site_fallback_limit

from .commands import pause
from .model import (
    Command,
    ControlConfig,
    ControlState,
    SetCurrent,
    VehicleInput,
    VehicleState,
)
from .wish import Charge, fit


def on_stop(
    config: SiteConfig,
    vehicles: Mapping[str, VehicleInput],
    state: ControlState,
    control: ControlConfig,
) -> dict[str, tuple[Command, ...]]:
    """Return the last commands per vehicle, each lowering it or nothing."""
    out: dict[str, tuple[Command, ...]] = {}
    for charger in config.chargers:
        vehicle = vehicles.get(charger.charger_id)
        if vehicle is None or not charger.managed:
            continue
        memory = state.vehicle(charger.charger_id)
        held = _held_a(vehicle, memory)
        if held is None or vehicle.plugged_in is False:
            continue
        target = min(held, site_fallback_limit(config, charger))
        if target >= held or vehicle.number is None:
            continue
        fitted = fit(target, vehicle.number, control)
        if isinstance(fitted, Charge) and fitted.value_a < held:
            out[charger.charger_id] = (SetCurrent(charger.charger_id, fitted.value_a),)
        elif not isinstance(fitted, Charge) and (stop := pause(vehicle, memory)):
            out[charger.charger_id] = stop
    return out


def _held_a(vehicle: VehicleInput, memory: VehicleState) -> int | None:
    """Return the current the vehicle is set to now; None: paused or not known."""
    if (
        memory.paused_by is not None
        or memory.switch_sent is False
        or vehicle.switch_on is False
    ):
        return None
    if memory.sent_a is not None:
        return memory.sent_a if memory.sent_a > 0 else None
    shown = None if vehicle.number is None else vehicle.number.value
    return None if shown is None or shown <= 0 else int(shown)
