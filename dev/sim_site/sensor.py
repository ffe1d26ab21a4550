"""Simulated meter, Powerwall and clock readings."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    UnitOfElectricCurrent,
    UnitOfPower,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .devsite import DevSite
from .entity import METER, POWERWALL, SIMULATOR, SimEntity


@dataclass(frozen=True, kw_only=True)
class SimSensorDescription(SensorEntityDescription):
    """A reading of the simulated site."""

    value_fn: Callable[[DevSite], float | str | None]


def _meter_current(phase: str) -> Callable[[DevSite], float | None]:
    def value(site: DevSite) -> float | None:
        latest = site.meter.latest
        return None if latest is None else round(latest.currents_a[phase], 1)

    return value


def _meter_worst(site: DevSite) -> float | None:
    """Import current on the most loaded phase (leg)."""
    latest = site.meter.latest
    return None if latest is None else round(max(latest.currents_a.values()), 1)


def _meter_power(site: DevSite) -> float | None:
    latest = site.meter.latest
    return None if latest is None else round(latest.power_w)


def _kw(watts: float) -> float:
    return round(watts / 1000.0, 3)


def _solar(site: DevSite) -> float | None:
    return None if site.last is None else _kw(site.last.solar_w)


def _battery(site: DevSite) -> float | None:
    return None if site.last is None else _kw(site.last.battery_w)


def _load(site: DevSite) -> float | None:
    """House consumption, Wall Connectors included (as a Powerwall gateway shows)."""
    if site.last is None:
        return None
    ev = dict.fromkeys(site.grid.phases, 0.0)
    for currents in site.last.charger_phase_currents.values():
        for phase, amps in currents.items():
            ev[phase] += amps
    home = site.grid.power_w(site.last.home_currents)
    return _kw(home + site.grid.power_w(ev))


def _site_power(site: DevSite) -> float | None:
    if site.last is None:
        return None
    return _kw(site.grid.power_w(site.last.grid_currents))


def _soc(site: DevSite) -> float | None:
    return None if site.powerwall is None else round(site.powerwall.soc_pct, 1)


def _power_kw(
    key: str, name: str, value_fn: Callable[[DevSite], float | None]
) -> SimSensorDescription:
    """Describe a power in kW, as the core Powerwall integration reports it."""
    return SimSensorDescription(
        key=key,
        name=name,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=value_fn,
    )


METER_SENSORS = (
    SimSensorDescription(
        key="grid_power",
        name="Grid power",
        native_unit_of_measurement=UnitOfPower.WATT,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_meter_power,
    ),
    # What a one-phase (US split-phase) site's meter setting takes.
    SimSensorDescription(
        key="current",
        name="Current",
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_meter_worst,
    ),
)

POWERWALL_SENSORS = (
    SimSensorDescription(
        key="charge",
        name="Charge",
        native_unit_of_measurement=PERCENTAGE,
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_soc,
    ),
    _power_kw("solar_power", "Solar power", _solar),
    _power_kw("load_power", "Load power", _load),
    _power_kw("battery_power", "Battery power", _battery),
    _power_kw("site_power", "Site power", _site_power),
)

CLOCK = SimSensorDescription(
    key="time_of_day",
    name="Time of day",
    icon="mdi:clock-fast",
    value_fn=lambda site: site.time_of_day,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SimConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the meter, Powerwall and clock sensors."""
    runtime = entry.runtime_data
    assert runtime.site is not None
    entities = [SimSensor(runtime, METER, d) for d in METER_SENSORS]
    entities += [
        SimSensor(
            runtime,
            METER,
            SimSensorDescription(
                key=f"{phase.lower()}_current",
                name=f"{phase} current",
                native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
                device_class=SensorDeviceClass.CURRENT,
                state_class=SensorStateClass.MEASUREMENT,
                value_fn=_meter_current(phase),
            ),
        )
        for phase in runtime.site.grid.phases
    ]
    if runtime.site.powerwall is not None:
        entities += [SimSensor(runtime, POWERWALL, d) for d in POWERWALL_SENSORS]
    entities.append(SimSensor(runtime, SIMULATOR, CLOCK))
    async_add_entities(entities)


class SimSensor(SimEntity, SensorEntity):
    """A sensor of the simulated site."""

    entity_description: SimSensorDescription

    @property
    def native_value(self) -> float | str | None:
        """Read the value from the site."""
        return self.entity_description.value_fn(self.site)
