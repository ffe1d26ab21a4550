"""The site's meter and Powerwall as trusted values, and each unit's reading.

A value counts only as ``sources`` accepts it; a source that stops giving one
keeps its last good value, which ages until the engine calls it stale.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.core import HomeAssistant

from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SOLAR_POWER_ENTITY,
)
from .coordinator import WallConnectorCoordinator
from .engine import ChargerReading, MeterReading, PowerwallReading, SiteConfig
from .settings import has_meter, has_powerwall
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
# A site reading beyond a few times the panel is a broken sensor, not a load.
_PLAUSIBLE_PANEL_FACTOR = 3.0
_PLAUSIBLE_POWERWALL_W = 1_000_000.0


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


class SiteReader:
    """Reads the configured meter and Powerwall entities, keeping good samples."""

    def __init__(self, hass: HomeAssistant, options: Mapping[str, Any]) -> None:
        """Read the entities named in the site's options."""
        self.hass = hass
        self.options = options
        self._samples: dict[str, Sample[Any]] = {}

    @property
    def source_entities(self) -> list[str]:
        """Return the meter and Powerwall entities this site listens to."""
        options = self.options
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

    def _trusted[T](
        self, entity_id: str | None, read: Callable[..., Sample[T] | None], *args: Any
    ) -> Sample[T] | None:
        """Return the latest trusted sample of an entity, keeping the last good one."""
        if not entity_id:
            return None
        if (sample := read(self.hass.states.get(entity_id), *args)) is not None:
            self._samples[entity_id] = sample
        return self._samples.get(entity_id)

    def read(self, config: SiteConfig) -> SiteView:
        """Return the trusted meter and Powerwall values for this evaluation."""
        options = self.options
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


def charger_reading(
    subentry_id: str, coordinator: WallConnectorCoordinator, *, paused_by_us: bool
) -> ChargerReading:
    """Return what the engine needs to know of one unit and its vehicle."""
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
            or paused_by_us
        ),
        current_a=current,
    )
