"""The leader: run the engine on every reading and apply its pilots.

It evaluates on every charger poll and on every state change or report of a
meter or Powerwall entity, so a load spike lowers the pilots in the same event
rather than at the next poll. A burst of reports (three phase currents, units
polled together) folds into one evaluation on the next turn of the event loop.
Readings are trusted by age (``last_reported``); see ``sources`` for what
counts as a reading at all.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_interval,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from . import control
from .actuator import Actuator, Control
from .const import (
    CONF_CURRENT_ENTITY,
    CONF_SWITCH_ENTITY,
    DOMAIN,
    EVENT_CHARGER_THROTTLED,
    EVENT_OUTAGE_ENDED,
    EVENT_OUTAGE_STARTED,
    LOGGER,
)
from .coordinator import WallConnectorCoordinator
from .engine import (
    Decision,
    EngineState,
    LimitReason,
    Readings,
    SiteConfig,
    evaluate,
)
from .figures import ClampLog
from .persistence import SiteStore
from .repairs import RepairTracker, Wanted
from .settings import (
    SiteSettings,
    engine_config,
)
from .site_readings import SiteReader, SiteView, charger_reading

# Reasons that mean the site, not the charger, holds a vehicle back.
THROTTLING_REASONS = frozenset(
    {
        LimitReason.NETWORK_LIMIT,
        LimitReason.PANEL_HEADROOM,
        LimitReason.OUTAGE_BATTERY,
        LimitReason.OUTAGE_SOLAR,
        LimitReason.STALE_INPUT,
        LimitReason.FALLBACK_UNREACHABLE,
        LimitReason.WAITING_FOR_6A,
    }
)
UNREACHABLE_REPAIR_AFTER_S = 300.0
HEARTBEAT = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class ManagerData:
    """One evaluation: what went in and what came out."""

    config: SiteConfig
    readings: Readings
    decision: Decision
    site: SiteView
    evaluated_at: float


class PowerManager(DataUpdateCoordinator[ManagerData]):
    """Runs the engine for a site and applies its decisions."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        chargers: dict[str, WallConnectorCoordinator],
        settings: SiteSettings,
    ) -> None:
        """Prepare; nothing runs until ``async_start``."""
        super().__init__(hass, LOGGER, config_entry=entry, name=f"{DOMAIN} manager")
        self.chargers = chargers
        # The chargers set up with the site: one added since waits for the
        # reload its subentry triggers.
        self.subentries = {
            subentry_id: charger.subentry for subentry_id, charger in chargers.items()
        }
        self.settings = settings
        self.actuator = Actuator(hass)
        self.control = control.ControlState()
        self.control_config = control.ControlConfig()
        self.store = SiteStore(hass, entry.entry_id)
        self.state = EngineState.initial()
        self.reader = SiteReader(hass, entry.options)
        self.repairs = RepairTracker(hass, entry.entry_id)
        self._reasons: dict[str, LimitReason] = {}
        self._grid_up: bool | None = None
        self._unreachable_since: dict[str, float] = {}
        self._reported = _NOTHING_REPORTED
        self._stopped = False
        self._pending: asyncio.Handle | None = None
        self._clamps = ClampLog()
        # Evaluations run since setup (one per burst of reports).
        self.evaluations = 0

    async def async_load(self) -> None:
        """Take back what was paused, written and boosted before a reload or restart."""
        self.control = await self.store.async_load(
            self.settings, frozenset(self.subentries)
        )
        # Rotation turns and waiting clocks go on where they were.
        self.state = self.store.engine

    async def async_unload(self) -> None:
        """Send nothing more and keep what must survive the reload."""
        self._stopped = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self.actuator.close()
        await self.store.async_save(self.settings, self.control, self.state)

    @callback
    def async_start(self) -> None:
        """Listen to chargers, meter and Powerwall; evaluate once now."""
        entry = self.config_entry
        for charger in self.chargers.values():
            entry.async_on_unload(charger.async_add_listener(self.async_request))
        if entities := self.reader.source_entities:
            entry.async_on_unload(
                async_track_state_change_event(self.hass, entities, self._on_source)
            )
            entry.async_on_unload(
                async_track_state_report_event(self.hass, entities, self._on_source)
            )
        # Not ``async_listen_once``: its listener is gone once it fired, and
        # removing it again on unload logs "Unable to remove unknown job listener".
        entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._on_stop)
        )
        # A heartbeat for the rules that run on time alone (staleness, resume
        # delay, rotation) when no unit answers and no meter reports.
        entry.async_on_unload(
            async_track_time_interval(self.hass, self._on_tick, HEARTBEAT)
        )
        self.async_evaluate()

    @callback
    def _on_source(self, _event: Event[Any]) -> None:
        self.async_request()

    @callback
    def _on_tick(self, _now: datetime) -> None:
        self.async_request()

    @callback
    def async_request(self) -> None:
        """Evaluate once for every report arriving before the loop turns (no timer)."""
        if self._pending is None:
            self._pending = self.hass.loop.call_soon(self._run_pending)

    @callback
    def _run_pending(self) -> None:
        self._pending = None
        if not self._stopped:
            self.async_evaluate()

    @callback
    def async_evaluate(self, *, apply: bool = True) -> None:
        """Evaluate with the latest readings and (unless told not to) apply it."""
        self.evaluations += 1
        now = dt_util.utcnow().timestamp()
        entry = self.config_entry
        controls = self._controls()
        # A number whose state or range cannot be read cannot be written.
        controllable = {
            subentry_id: _number(self.hass.states.get(target.current_entity))
            is not None
            for subentry_id, target in controls.items()
        }
        config = engine_config(
            entry, self.subentries, self.settings, controllable=controllable, now=now
        )
        site = self.reader.read(config)
        readings = Readings(
            chargers=tuple(
                charger_reading(
                    subentry_id,
                    coordinator,
                    paused_by_us=self.control.ours_to_start(
                        subentry_id, now, self.control_config
                    ),
                )
                for subentry_id, coordinator in self.chargers.items()
            ),
            meter=site.meter_reading(),
            powerwall=site.powerwall_reading(),
        )
        decision = evaluate(config, readings, self.state, now)
        self.state = decision.state
        self.async_set_updated_data(
            ManagerData(config, readings, decision, site, evaluated_at=now)
        )
        self._announce(decision, site)
        self._clamps.check(decision, config)
        if apply:
            self._apply(decision, readings, now)
        self.repairs.update(self._wanted_repairs(decision, controls, controllable, now))

    def _apply(self, decision: Decision, readings: Readings, now: float) -> None:
        """Plan the commands for this decision and send them in the background."""
        if self._stopped:
            return
        controls = self._controls()
        plan = control.plan(
            decision,
            self._vehicles(readings, controls),
            self.control,
            now,
            self.control_config,
            enabled=self.settings.management_enabled,
        )
        self.control = plan.state
        self._reported = _Reported(plan.limited_by_vehicle, plan.failing)
        self.store.schedule(self.settings, self.control, self.state)
        for subentry_id, commands in plan.commands.items():
            self.config_entry.async_create_task(
                self.hass,
                self._send(subentry_id, controls[subentry_id], commands),
                f"{DOMAIN} apply {subentry_id}",
            )

    async def _send(
        self, subentry_id: str, target: Control, commands: tuple[control.Command, ...]
    ) -> None:
        """Send one vehicle's commands, fold the outcome in, and plan again."""
        outcome = await self.actuator.async_send(subentry_id, target, commands)
        now = dt_util.utcnow().timestamp()
        self.control = control.settle(self.control, outcome, now, self.control_config)
        self.store.schedule(self.settings, self.control, self.state)
        # What waited for these commands to finish goes out now.
        if (data := self.data) is not None:
            self._apply(data.decision, data.readings, now)

    def _vehicles(
        self, readings: Readings, controls: dict[str, Control]
    ) -> dict[str, control.VehicleInput]:
        """Return each controlled vehicle as the control loop sees it now."""
        by_id = {reading.charger_id: reading for reading in readings.chargers}
        return {
            subentry_id: control.vehicle_input(
                by_id[subentry_id],
                _number(self.hass.states.get(target.current_entity)),
                _switch(self.hass.states.get(target.switch_entity))
                if target.switch_entity
                else None,
            )
            for subentry_id, target in controls.items()
            if subentry_id in by_id
        }

    def _controls(self) -> dict[str, Control]:
        return {
            subentry_id: Control(
                subentry.data[CONF_CURRENT_ENTITY],
                subentry.data.get(CONF_SWITCH_ENTITY),
            )
            for subentry_id, subentry in self.subentries.items()
            if subentry.data.get(CONF_CURRENT_ENTITY)
        }

    def _announce(self, decision: Decision, site: SiteView) -> None:
        """Fire events on an outage starting or ending and on a throttled charger."""
        entry = self.config_entry
        if site.grid_up is not None and self._grid_up is not None:
            if self._grid_up and not site.grid_up:
                self.hass.bus.async_fire(
                    EVENT_OUTAGE_STARTED,
                    {"entry_id": entry.entry_id, "site": entry.title},
                )
            elif site.grid_up and not self._grid_up:
                self.hass.bus.async_fire(
                    EVENT_OUTAGE_ENDED,
                    {"entry_id": entry.entry_id, "site": entry.title},
                )
        if site.grid_up is not None:
            self._grid_up = site.grid_up
        devices = dr.async_get(self.hass)
        for subentry_id, charger in decision.chargers.items():
            previous = self._reasons.get(subentry_id)
            self._reasons[subentry_id] = charger.reason
            if charger.reason == previous or charger.reason not in THROTTLING_REASONS:
                continue
            coordinator = self.chargers[subentry_id]
            device = devices.async_get_device_by_identifier(
                (DOMAIN, coordinator.serial_number), entry.entry_id
            )
            self.hass.bus.async_fire(
                EVENT_CHARGER_THROTTLED,
                {
                    "entry_id": entry.entry_id,
                    "charger": self.subentries[subentry_id].title,
                    "device_id": device.id if device else None,
                    "pilot_a": charger.pilot_a,
                    "reason": charger.reason.value,
                },
            )

    def _wanted_repairs(
        self,
        decision: Decision,
        controls: dict[str, Control],
        controllable: dict[str, bool],
        now: float,
    ) -> Wanted:
        """Return the repairs the user should see now."""
        wanted: Wanted = {}
        for subentry_id, subentry in self.subentries.items():
            name = {"name": subentry.title}
            if subentry_id in controls and not controllable[subentry_id]:
                wanted[f"control_missing_{subentry_id}"] = (
                    "control_missing",
                    {**name, "entity": controls[subentry_id].current_entity},
                )
            if self.chargers[subentry_id].last_update_success:
                self._unreachable_since.pop(subentry_id, None)
            else:
                since = self._unreachable_since.setdefault(subentry_id, now)
                if now - since >= UNREACHABLE_REPAIR_AFTER_S:
                    wanted[f"unreachable_{subentry_id}"] = ("charger_unreachable", name)
            if decision.chargers[subentry_id].not_following:
                wanted[f"not_following_{subentry_id}"] = ("not_following", name)
            for key, vehicles in self._reported.repairs():
                if subentry_id in vehicles:
                    wanted[f"{key}_{subentry_id}"] = (key, name)
        return wanted

    async def _on_stop(self, _event: Event[Any]) -> None:
        """Leave every vehicle at no more than it has, and at most its fallback."""
        if self._stopped:
            return
        self._stopped = True
        data = self.data
        if data is not None and self.settings.management_enabled:
            controls = self._controls()
            last = control.on_stop(
                data.config,
                self._vehicles(data.readings, controls),
                self.control,
                self.control_config,
            )
            outcomes = await asyncio.gather(
                *(
                    self.actuator.async_send(subentry_id, controls[subentry_id], cmds)
                    for subentry_id, cmds in last.items()
                )
            )
            now = dt_util.utcnow().timestamp()
            for outcome in outcomes:
                self.control = control.settle(
                    self.control, outcome, now, self.control_config
                )
        self.actuator.close()
        await self.store.async_save(self.settings, self.control, self.state)


@dataclass(frozen=True, slots=True)
class _Reported:
    """What the last plan said about the vehicles, for the repairs."""

    limited_by_vehicle: frozenset[str]
    failing: frozenset[str]

    def repairs(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """Return (translation key, vehicles) for each repair."""
        return (
            ("vehicle_max_limits", self.limited_by_vehicle),
            ("commands_failing", self.failing),
        )


_NOTHING_REPORTED = _Reported(frozenset(), frozenset())


def _number(state: Any) -> control.CurrentNumber | None:
    if not _available(state):
        return None
    attrs = state.attributes
    return control.current_number(
        state.state, attrs.get("min"), attrs.get("max"), attrs.get("step")
    )


def _switch(state: Any) -> bool | None:
    if state is None or state.state not in (STATE_ON, STATE_OFF):
        return None
    return bool(state.state == STATE_ON)


def _available(state: Any) -> bool:
    return state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
