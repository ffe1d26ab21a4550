"""The leader: run the engine on every reading and apply its pilots.

It evaluates on every charger poll and on every state change or report of a
meter or Powerwall entity, so a load spike lowers the pilots in the same event
rather than at the next poll. Readings are trusted by age (``last_reported``);
see ``sources`` for what counts as a reading at all.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
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
    site_fallback_limit,
)
from .repairs import RepairTracker, Wanted
from .settings import (
    SiteSettings,
    engine_config,
)
from .site_readings import SiteReader, SiteView, charger_reading

# evse_state codes of a unit delivering current.
_CHARGING_STATES = frozenset({10, 11})
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
# A site reading beyond a few times the panel is a broken sensor, not a load.
_PLAUSIBLE_PANEL_FACTOR = 3.0
_PLAUSIBLE_POWERWALL_W = 1_000_000.0
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
        self.state = EngineState.initial()
        self.reader = SiteReader(hass, entry.options)
        self.repairs = RepairTracker(hass, entry.entry_id)
        self._reasons: dict[str, LimitReason] = {}
        self._grid_up: bool | None = None
        self._unreachable_since: dict[str, float] = {}

    @callback
    def async_start(self) -> None:
        """Listen to chargers, meter and Powerwall; evaluate once now."""
        entry = self.config_entry
        for charger in self.chargers.values():
            entry.async_on_unload(charger.async_add_listener(self.async_evaluate))
        if entities := self.reader.source_entities:
            entry.async_on_unload(
                async_track_state_change_event(self.hass, entities, self._on_source)
            )
            entry.async_on_unload(
                async_track_state_report_event(self.hass, entities, self._on_source)
            )
        entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._on_stop)
        )
        # A heartbeat for the rules that run on time alone (staleness, resume
        # delay, rotation) when no unit answers and no meter reports.
        entry.async_on_unload(
            async_track_time_interval(self.hass, self._on_tick, HEARTBEAT)
        )
        self.async_evaluate()

    @callback
    def _on_source(self, _event: Event[Any]) -> None:
        self.async_evaluate()

    @callback
    def _on_tick(self, _now: datetime) -> None:
        self.async_evaluate()

    @callback
    def async_evaluate(self, *, apply: bool = True) -> None:
        """Evaluate with the latest readings and (unless told not to) apply it."""
        now = dt_util.utcnow().timestamp()
        entry = self.config_entry
        controls = self._controls()
        controllable = {
            subentry_id: _available(self.hass.states.get(control.current_entity))
            for subentry_id, control in controls.items()
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
                    paused_by_us=self.actuator.paused_by_us(subentry_id),
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
        self.repairs.update(self._wanted_repairs(decision, controls, controllable, now))
        if not apply:
            return
        for subentry_id, control in controls.items():
            charger = decision.chargers[subentry_id]
            pilot: int | None = charger.pilot_a
            # Released vehicles are left alone (a pause of ours is undone).
            if not self.settings.management_enabled or charger.reason in (
                LimitReason.NO_VEHICLE,
                LimitReason.NOT_MANAGED,
            ):
                pilot = None
            entry.async_create_task(
                self.hass,
                self.actuator.async_apply(subentry_id, control, pilot),
                f"{DOMAIN} apply {subentry_id}",
            )

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
        return wanted

    async def _on_stop(self, _event: Event[Any]) -> None:
        """Leave every managed vehicle at its fallback limit when HA stops."""
        data = self.data
        if data is None or not self.settings.management_enabled:
            return
        for subentry_id, control in self._controls().items():
            charger = next(
                c for c in data.config.chargers if c.charger_id == subentry_id
            )
            if not charger.managed:
                continue
            await self.actuator.async_apply(
                subentry_id, control, site_fallback_limit(data.config, charger)
            )


def _available(state: Any) -> bool:
    return state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
