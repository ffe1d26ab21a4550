"""The leader: run the engine on every reading and apply its pilots.

It evaluates on every charger poll and on every state change or report of a
meter or Powerwall entity, so a load spike lowers the pilots in the same event
rather than at the next poll. Readings are trusted by age (``last_reported``);
see ``sources`` for what counts as a reading at all.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_interval,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .actuator import Actuator, Control
from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SOLAR_POWER_ENTITY,
    CONF_SWITCH_ENTITY,
    DOMAIN,
    EVENT_CHARGER_THROTTLED,
    EVENT_OUTAGE_ENDED,
    EVENT_OUTAGE_STARTED,
    LOGGER,
)
from .coordinator import WallConnectorCoordinator
from .engine import (
    ChargerReading,
    Decision,
    EngineState,
    LimitReason,
    MeterReading,
    PowerwallReading,
    Readings,
    SiteConfig,
    evaluate,
    site_fallback_limit,
)
from .settings import (
    SiteSettings,
    charger_subentries,
    engine_config,
    has_meter,
    has_powerwall,
)
from .sources import (
    Sample,
    current_a,
    grid_up,
    percentage,
    power_w,
    unsigned_power_w,
)

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
class SiteView:
    """Trusted meter and Powerwall values, for the engine and the sensors.

    ``meter_at`` and ``powerwall_at`` are when the oldest value of each was
    reported; None when a value was never trusted.
    """

    grid_power_w: float | None = None
    phase_current_a: tuple[float, ...] | None = None
    meter_at: float | None = None
    battery_pct: float | None = None
    solar_w: float | None = None
    site_load_w: float | None = None
    grid_up: bool | None = None
    powerwall_at: float | None = None

    def meter_reading(self) -> MeterReading | None:
        """Return the meter as the engine reads it."""
        if self.meter_at is None:
            return None
        if self.phase_current_a is not None:
            return MeterReading(at=self.meter_at, phase_current_a=self.phase_current_a)
        return MeterReading(at=self.meter_at, power_w=self.grid_power_w)

    def powerwall_reading(self) -> PowerwallReading | None:
        """Return the Powerwall as the engine reads it."""
        if (
            self.powerwall_at is None
            or self.grid_up is None
            or self.battery_pct is None
            or self.site_load_w is None
        ):
            return None
        return PowerwallReading(
            at=self.powerwall_at,
            grid_up=self.grid_up,
            battery_pct=self.battery_pct,
            solar_w=self.solar_w or 0.0,
            site_load_w=self.site_load_w,
        )


def _oldest(*samples: Sample[Any] | None) -> float | None:
    """Return when the oldest sample was reported, None if one is missing."""
    if not all(samples):
        return None
    return min(sample.at for sample in samples if sample)


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
        self.settings = settings
        self.actuator = Actuator(hass)
        self.state = EngineState.initial()
        self._samples: dict[str, Sample[Any]] = {}
        self._reasons: dict[str, LimitReason] = {}
        self._grid_up: bool | None = None
        self._repairs: set[str] = set()
        self._unreachable_since: dict[str, float] = {}

    @property
    def source_entities(self) -> list[str]:
        """Return the meter and Powerwall entities this site listens to."""
        options = self.config_entry.options
        entities: list[str] = []
        if has_meter(options):
            if grid := options.get(CONF_GRID_POWER_ENTITY):
                entities.append(grid)
            entities.extend(options.get(CONF_PHASE_CURRENT_ENTITIES) or [])
        if has_powerwall(options):
            entities.extend(
                entity
                for key in (
                    CONF_GRID_STATUS_ENTITY,
                    CONF_BATTERY_LEVEL_ENTITY,
                    CONF_SOLAR_POWER_ENTITY,
                    CONF_HOME_LOAD_ENTITY,
                )
                if (entity := options.get(key))
            )
        return entities

    @callback
    def async_start(self) -> None:
        """Listen to chargers, meter and Powerwall; evaluate once now."""
        entry = self.config_entry
        for charger in self.chargers.values():
            entry.async_on_unload(charger.async_add_listener(self.async_evaluate))
        if entities := self.source_entities:
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
        subentries = charger_subentries(entry)
        controls = self._controls()
        controllable = {
            subentry_id: _available(self.hass.states.get(control.current_entity))
            for subentry_id, control in controls.items()
        }
        config = engine_config(entry, self.settings, controllable=controllable, now=now)
        site = self._read_site(config)
        readings = Readings(
            chargers=tuple(
                self._charger_reading(subentry_id, coordinator)
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
        self._announce(decision, site, subentries)
        self._update_repairs(decision, controls, controllable, now)
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
            for subentry_id, subentry in charger_subentries(self.config_entry).items()
            if subentry.data.get(CONF_CURRENT_ENTITY)
        }

    def _charger_reading(
        self, subentry_id: str, coordinator: WallConnectorCoordinator
    ) -> ChargerReading:
        data = coordinator.data
        read_at = coordinator.last_update_success_time
        if data is None or read_at is None:
            return ChargerReading(subentry_id, at=0.0, reachable=False)
        vitals = data.vitals
        connected = bool(vitals.vehicle_connected)
        if coordinator.three_phase_charger:
            current = tuple(
                value if value is not None else vitals.vehicle_current_a or 0.0
                for value in vitals.phase_current_a
            )
        else:
            current = (vitals.vehicle_current_a or 0.0,)
        return ChargerReading(
            subentry_id,
            at=read_at.timestamp(),
            reachable=coordinator.last_update_success,
            vehicle_connected=connected,
            # A vehicle we paused still wants current: it is ours to resume.
            vehicle_wants_current=connected
            and (
                bool(vitals.contactor_closed)
                or vitals.evse_state in _CHARGING_STATES
                or self.actuator.paused_by_us(subentry_id)
            ),
            current_a=current,
        )

    def _trusted[T](
        self, entity_id: str | None, read: Callable[..., Sample[T] | None], *args: Any
    ) -> Sample[T] | None:
        """Return the latest trusted sample of an entity, keeping the last good one."""
        if not entity_id:
            return None
        if (sample := read(self.hass.states.get(entity_id), *args)) is not None:
            self._samples[entity_id] = sample
        return self._samples.get(entity_id)

    def _read_site(self, config: SiteConfig) -> SiteView:
        options = self.config_entry.options
        view = SiteView()
        if config.panel_limit_a is not None:
            limit_a = config.panel_limit_a * _PLAUSIBLE_PANEL_FACTOR
            limit_w = limit_a * config.voltage_v * config.phase_count
            if entity := options.get(CONF_GRID_POWER_ENTITY):
                grid = self._trusted(entity, power_w, limit_w)
                view = SiteView(
                    grid_power_w=grid.value if grid else None, meter_at=_oldest(grid)
                )
            else:
                phases = [
                    self._trusted(entity, current_a, limit_a)
                    for entity in options[CONF_PHASE_CURRENT_ENTITIES]
                ]
                at = _oldest(*phases)
                view = SiteView(
                    phase_current_a=tuple(p.value for p in phases if p)
                    if at is not None
                    else None,
                    meter_at=at,
                )
        if config.outage is None:
            return view
        limit = _PLAUSIBLE_POWERWALL_W
        battery = self._trusted(options.get(CONF_BATTERY_LEVEL_ENTITY), percentage)
        status = self._trusted(options.get(CONF_GRID_STATUS_ENTITY), grid_up)
        load = self._trusted(
            options.get(CONF_HOME_LOAD_ENTITY), unsigned_power_w, limit
        )
        solar_entity = options.get(CONF_SOLAR_POWER_ENTITY)
        solar = self._trusted(solar_entity, unsigned_power_w, limit)
        return replace(
            view,
            battery_pct=battery.value if battery else None,
            solar_w=solar.value if solar else None,
            site_load_w=load.value if load else None,
            grid_up=status.value if status else None,
            powerwall_at=_oldest(battery, status, load, solar)
            if solar_entity
            else _oldest(battery, status, load),
        )

    def _announce(
        self, decision: Decision, site: SiteView, subentries: dict[str, Any]
    ) -> None:
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
                    "charger": subentries[subentry_id].title,
                    "device_id": device.id if device else None,
                    "pilot_a": charger.pilot_a,
                    "reason": charger.reason.value,
                },
            )

    def _update_repairs(
        self,
        decision: Decision,
        controls: dict[str, Control],
        controllable: dict[str, bool],
        now: float,
    ) -> None:
        """Raise a repair for what the user must fix; clear it once fixed."""
        wanted: dict[str, tuple[str, dict[str, str]]] = {}
        subentries = charger_subentries(self.config_entry)
        for subentry_id, subentry in subentries.items():
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
        prefix = f"{self.config_entry.entry_id}_"
        for issue_id in self._repairs - wanted.keys():
            ir.async_delete_issue(self.hass, DOMAIN, prefix + issue_id)
        for issue_id in wanted.keys() - self._repairs:
            key, placeholders = wanted[issue_id]
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                prefix + issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=key,
                translation_placeholders=placeholders,
            )
        self._repairs = set(wanted)

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

    @callback
    def async_remove_repairs(self) -> None:
        """Clear this site's repairs (on unload)."""
        prefix = f"{self.config_entry.entry_id}_"
        for issue_id in self._repairs:
            ir.async_delete_issue(self.hass, DOMAIN, prefix + issue_id)
        self._repairs = set()


def _available(state: Any) -> bool:
    return state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
