"""The site's meter and Powerwall as trusted readings, and each unit's reading.

A reading is the set of values the engine takes together (the meter; the
Powerwall's status, battery, load and solar). It is new only when every one of
its values is trusted now (see ``sources``); while any is not, the whole last
trusted reading is kept with its time, so it ages until the engine calls it
stale. A fresh value is never combined with an old one of the same reading.
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
from .wall_connector import Vitals

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


type _Read = Callable[..., Sample[Any] | None]


class SiteReader:
    """Reads the configured meter and Powerwall entities, keeping good readings."""

    def __init__(self, hass: HomeAssistant, options: Mapping[str, Any]) -> None:
        """Read the entities named in the site's options."""
        self.hass = hass
        self.options = options
        # The last reading of each kind whose values were all trusted, and
        # when its oldest value was reported.
        self._held: dict[str, tuple[tuple[Any, ...], float]] = {}

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

    def _reading(
        self, kind: str, inputs: list[tuple[str | None, _Read, tuple[Any, ...]]]
    ) -> tuple[tuple[Any, ...], float] | None:
        """Return the values of one reading and when, new only if all are trusted."""
        states = self.hass.states
        samples = [
            read(states.get(entity) if entity else None, *args)
            for entity, read, args in inputs
        ]
        if all(samples):
            self._held[kind] = (
                tuple(sample.value for sample in samples if sample),
                min(sample.at for sample in samples if sample),
            )
        return self._held.get(kind)

    def read(self, config: SiteConfig) -> SiteView:
        """Return the trusted meter and Powerwall values for this evaluation."""
        options = self.options
        view = SiteView()
        if config.panel_limit_a is not None:
            limit_a = config.panel_limit_a * _PLAUSIBLE_PANEL_FACTOR
            limit_w = limit_a * config.voltage_v * config.phase_count
            if entity := options.get(CONF_GRID_POWER_ENTITY):
                meter = self._reading("meter", [(entity, power_w, (limit_w,))])
                if meter:
                    view = SiteView(grid_power_w=meter[0][0], meter_at=meter[1])
            else:
                phases = options[CONF_PHASE_CURRENT_ENTITIES]
                meter = self._reading(
                    "meter", [(entity, current_a, (limit_a,)) for entity in phases]
                )
                if meter:
                    values = tuple(meter[0])
                    if config.phase_count == 1:
                        # Split phase: the car loads both legs; the worse one counts.
                        values = (max(values),)
                    view = SiteView(phase_current_a=values, meter_at=meter[1])
        if config.outage is None:
            return view
        limit = (_PLAUSIBLE_POWERWALL_W,)
        inputs: list[tuple[str | None, _Read, tuple[Any, ...]]] = [
            (options.get(CONF_GRID_STATUS_ENTITY), grid_up, ()),
            (options.get(CONF_BATTERY_LEVEL_ENTITY), percentage, ()),
            (options.get(CONF_HOME_LOAD_ENTITY), unsigned_power_w, limit),
        ]
        if solar := options.get(CONF_SOLAR_POWER_ENTITY):
            inputs.append((solar, unsigned_power_w, limit))
        if (powerwall := self._reading("powerwall", inputs)) is None:
            return view
        values, at = powerwall
        return replace(
            view,
            grid_up=values[0],
            battery_pct=values[1],
            site_load_w=values[2],
            solar_w=values[3] if solar else None,
            powerwall_at=at,
        )


def charger_reading(
    subentry_id: str, coordinator: WallConnectorCoordinator, *, paused_by_us: bool
) -> ChargerReading:
    """Return what the engine needs to know of one unit and its vehicle."""
    data = coordinator.data
    read_at = coordinator.last_update_success_time
    trusted = coordinator.last_update_success and read_at is not None
    return vitals_reading(
        subentry_id,
        data.vitals if trusted and data is not None else None,
        read_at.timestamp() if read_at else 0.0,
        three_phase=coordinator.three_phase_charger,
        paused_by_us=paused_by_us,
    )


def vitals_reading(
    charger_id: str,
    vitals: Vitals | None,
    at: float,
    *,
    three_phase: bool,
    paused_by_us: bool,
) -> ChargerReading:
    """Return a unit's reading; without trusted vitals it is unreachable."""
    if vitals is None:
        return ChargerReading(charger_id, at=at, reachable=False)
    connected = vitals.vehicle_connected
    return ChargerReading(
        charger_id,
        at=at,
        vehicle_connected=connected,
        # A vehicle we paused still wants current: it is ours to resume; one we
        # resumed a moment ago too, until it has had time to start.
        vehicle_wants_current=connected
        and (
            vitals.contactor_closed
            or vitals.evse_state in _CHARGING_STATES
            or paused_by_us
        ),
        current_a=vitals.phase_current_a
        if three_phase
        else (vitals.vehicle_current_a,),
    )
