"""Sensors of each Wall Connector."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from . import figures
from .const import CONF_PHASE_CURRENT_ENTITIES
from .coordinator import WallConnectorData
from .engine import LimitReason, site_fallback_limit
from .entity import ChargerControlEntity, SiteDevice, SiteEntity, WallConnectorEntity
from .group_device import GROUP_DEVICE_SENSORS, GroupSensor
from .manager import ManagerData, PowerManager
from .models import TeslaPowerMgmtConfigEntry
from .settings import group_subentries, has_meter, has_powerwall
from .wall_connector import EVSE_STATES

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class WallConnectorSensorDescription(SensorEntityDescription):
    """A Wall Connector sensor and how to read its value."""

    value_fn: Callable[[WallConnectorData], StateType]
    three_phase_only: bool = False


def _phase_current(index: int) -> Callable[[WallConnectorData], StateType]:
    return lambda data: data.vitals.phase_current_a[index]


def _phase_voltage(index: int) -> Callable[[WallConnectorData], StateType]:
    return lambda data: data.vitals.phase_voltage_v[index]


def _current(key: str, index: int) -> WallConnectorSensorDescription:
    return WallConnectorSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        three_phase_only=True,
        value_fn=_phase_current(index),
    )


def _voltage(key: str, index: int) -> WallConnectorSensorDescription:
    return WallConnectorSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        three_phase_only=True,
        value_fn=_phase_voltage(index),
    )


def _temperature(
    key: str, read: Callable[[WallConnectorData], StateType]
) -> WallConnectorSensorDescription:
    return WallConnectorSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=read,
    )


SENSORS: tuple[WallConnectorSensorDescription, ...] = (
    WallConnectorSensorDescription(
        key="vehicle_current",
        translation_key="vehicle_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=lambda data: data.vitals.vehicle_current_a,
    ),
    _current("phase_a_current", 0),
    _current("phase_b_current", 1),
    _current("phase_c_current", 2),
    _voltage("phase_a_voltage", 0),
    _voltage("phase_b_voltage", 1),
    _voltage("phase_c_voltage", 2),
    WallConnectorSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=lambda data: data.power_w,
    ),
    WallConnectorSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        # Drops to zero when a new session starts, which this class expects.
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda data: data.vitals.session_energy_wh,
    ),
    WallConnectorSensorDescription(
        key="lifetime_energy",
        translation_key="lifetime_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda data: data.lifetime.energy_wh if data.lifetime else None,
    ),
    WallConnectorSensorDescription(
        key="state",
        translation_key="state",
        device_class=SensorDeviceClass.ENUM,
        options=list(EVSE_STATES.values()),
        value_fn=lambda data: EVSE_STATES[data.vitals.evse_state],
    ),
    WallConnectorSensorDescription(
        key="grid_voltage",
        translation_key="grid_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.vitals.grid_v,
    ),
    WallConnectorSensorDescription(
        key="grid_frequency",
        translation_key="grid_frequency",
        device_class=SensorDeviceClass.FREQUENCY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfFrequency.HERTZ,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.vitals.grid_hz,
    ),
    _temperature("handle_temperature", lambda data: data.vitals.handle_temp_c),
    _temperature("pcba_temperature", lambda data: data.vitals.pcba_temp_c),
    _temperature("mcu_temperature", lambda data: data.vitals.mcu_temp_c),
    WallConnectorSensorDescription(
        key="wifi_signal_strength",
        translation_key="wifi_signal_strength",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.wifi.signal_strength if data.wifi else None,
    ),
    WallConnectorSensorDescription(
        key="wifi_rssi",
        translation_key="wifi_rssi",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.wifi.rssi if data.wifi else None,
    ),
    WallConnectorSensorDescription(
        key="thermal_foldbacks",
        translation_key="thermal_foldbacks",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: (
            data.lifetime.thermal_foldbacks if data.lifetime else None
        ),
    ),
    WallConnectorSensorDescription(
        key="charge_starts",
        translation_key="charge_starts",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.lifetime.charge_starts if data.lifetime else None,
    ),
)


def _highest(values: tuple[float | None, ...] | None) -> float | None:
    known = [value for value in values or () if value is not None]
    return round(max(known), 1) if known else None


def _lowest(values: tuple[float | None, ...] | None) -> float | None:
    known = [value for value in values or () if value is not None]
    return round(min(known), 1) if known else None


def _ev_power_w(data: ManagerData) -> float:
    return sum(data.decision.network_current_a) * data.config.voltage_v


def _grid_power_w(data: ManagerData) -> float | None:
    """Return the grid power, measured or from the phase currents."""
    if data.site.grid_power_w is not None:
        return data.site.grid_power_w
    if data.site.phase_current_a is None:
        return None
    return round(sum(data.site.phase_current_a) * data.config.voltage_v)


def _surplus_solar_w(data: ManagerData) -> float | None:
    site = data.site
    if site.solar_w is None or site.site_load_w is None:
        return None
    home_w = max(site.site_load_w - _ev_power_w(data), 0.0)
    return round(max(site.solar_w - home_w, 0.0))


def _fallback_a(data: ManagerData) -> int | None:
    config = data.config
    limits = [site_fallback_limit(config, charger) for charger in config.chargers]
    return max(limits) if limits else None


def _phase_meter(index: int) -> Callable[[ManagerData], StateType]:
    def read(data: ManagerData) -> StateType:
        currents = data.site.phase_current_a
        return currents[index] if currents and index < len(currents) else None

    return read


@dataclass(frozen=True, kw_only=True)
class SiteSensorDescription(SensorEntityDescription):
    """A sensor of the site's group, meter or Powerwall, from the last evaluation."""

    device: SiteDevice
    value_fn: Callable[[ManagerData], StateType]
    available_fn: Callable[[ManagerData], bool] = lambda _data: True


_MEASURES = {
    SensorDeviceClass.CURRENT: (UnitOfElectricCurrent.AMPERE, 1),
    SensorDeviceClass.POWER: (UnitOfPower.WATT, 0),
}


def _measure(
    device_class: SensorDeviceClass,
    key: str,
    device: SiteDevice,
    read: Callable[[ManagerData], StateType],
) -> SiteSensorDescription:
    unit, precision = _MEASURES[device_class]
    return SiteSensorDescription(
        key=key,
        translation_key=key,
        device=device,
        device_class=device_class,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        value_fn=read,
    )


def _amps(
    key: str, device: SiteDevice, read: Callable[[ManagerData], StateType]
) -> SiteSensorDescription:
    return _measure(SensorDeviceClass.CURRENT, key, device, read)


def _watts(
    key: str, device: SiteDevice, read: Callable[[ManagerData], StateType]
) -> SiteSensorDescription:
    return _measure(SensorDeviceClass.POWER, key, device, read)


GROUP_SENSORS: tuple[SiteSensorDescription, ...] = (
    _amps(
        "network_current",
        SiteDevice.GROUP,
        lambda data: _highest(data.decision.network_current_a),
    ),
    _amps(
        "available_current",
        SiteDevice.GROUP,
        lambda data: _lowest(figures.available_a(data.decision, data.config)),
    ),
    SiteSensorDescription(
        key="network_size",
        translation_key="network_size",
        device=SiteDevice.GROUP,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.config.chargers),
    ),
    _amps("fallback_limit", SiteDevice.GROUP, _fallback_a),
)
METER_SENSORS: tuple[SiteSensorDescription, ...] = (
    _watts("grid_power", SiteDevice.METER, _grid_power_w),
    _amps(
        "home_load",
        SiteDevice.METER,
        lambda data: _highest(figures.home_load_a(data.decision, data.config)),
    ),
    _amps(
        "headroom",
        SiteDevice.METER,
        lambda data: _lowest(figures.headroom_a(data.decision, data.config)),
    ),
)
PHASE_METER_SENSORS: tuple[SiteSensorDescription, ...] = tuple(
    _amps(f"phase_{phase}_current", SiteDevice.METER, _phase_meter(phase - 1))
    for phase in (1, 2, 3)
)
POWERWALL_SENSORS: tuple[SiteSensorDescription, ...] = (
    SiteSensorDescription(
        key="battery_level",
        device=SiteDevice.POWERWALL,
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda data: data.site.battery_pct,
    ),
    _watts("solar_power", SiteDevice.POWERWALL, lambda data: data.site.solar_w),
    _watts("surplus_solar", SiteDevice.POWERWALL, _surplus_solar_w),
    # Only an outage limits the vehicles to the Powerwall: on the grid this
    # figure does not exist (unavailable); a status never reported reads unknown.
    replace(
        _watts(
            "power_available_to_vehicles",
            SiteDevice.POWERWALL,
            lambda data: data.decision.outage_power_w,
        ),
        available_fn=lambda data: data.site.grid_up is not True,
    ),
)


@dataclass(frozen=True, kw_only=True)
class ChargerManagementSensorDescription(SensorEntityDescription):
    """A power-management sensor of one Wall Connector."""

    value_fn: Callable[[PowerManager, str], StateType | datetime]


def _boost_ends(manager: PowerManager, charger: str) -> datetime | None:
    """Return when the charger's boost ends; None without one or once it ended."""
    until = manager.settings.chargers[charger].boost_until
    if until is None or until <= dt_util.utcnow().timestamp():
        return None
    return dt_util.utc_from_timestamp(until)


CHARGER_MANAGEMENT_SENSORS: tuple[ChargerManagementSensorDescription, ...] = (
    ChargerManagementSensorDescription(
        key="pilot_current",
        translation_key="pilot_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=0,
        value_fn=lambda manager, charger: (
            manager.data.decision.chargers[charger].pilot_a
        ),
    ),
    ChargerManagementSensorDescription(
        key="limit_reason",
        translation_key="limit_reason",
        device_class=SensorDeviceClass.ENUM,
        options=[reason.value for reason in LimitReason],
        value_fn=lambda manager, charger: (
            manager.data.decision.chargers[charger].reason.value
        ),
    ),
    ChargerManagementSensorDescription(
        key="vehicle_commands",
        translation_key="vehicle_commands",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda manager, charger: manager.actuator.commands[charger],
    ),
    ChargerManagementSensorDescription(
        key="boost_ends",
        translation_key="boost_ends",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_boost_ends,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every Wall Connector and of the site."""
    manager = entry.runtime_data.manager
    for subentry_id, coordinator in entry.runtime_data.chargers.items():
        entities: list[SensorEntity] = [
            WallConnectorSensor(coordinator, description)
            for description in SENSORS
            if coordinator.three_phase_site or not description.three_phase_only
        ]
        entities.extend(
            ChargerManagementSensor(manager, subentry_id, description)
            for description in CHARGER_MANAGEMENT_SENSORS
        )
        async_add_entities(entities, config_subentry_id=subentry_id)

    site: list[SiteSensorDescription] = list(GROUP_SENSORS)
    if has_meter(entry.options):
        site.extend(METER_SENSORS)
        phases = entry.options.get(CONF_PHASE_CURRENT_ENTITIES) or []
        site.extend(PHASE_METER_SENSORS[: len(phases)])
    if has_powerwall(entry.options):
        site.extend(POWERWALL_SENSORS)
    async_add_entities(
        SiteSensor(manager, description, description.device) for description in site
    )
    for group_id, group in group_subentries(entry).items():
        async_add_entities(
            [
                GroupSensor(manager, group_id, group.title, description)
                for description in GROUP_DEVICE_SENSORS
            ],
            config_subentry_id=group_id,
        )


class SiteSensor(SiteEntity, SensorEntity):
    """A figure of the site from the last evaluation."""

    entity_description: SiteSensorDescription

    @property
    def available(self) -> bool:
        """Return False where the figure has no meaning now."""
        return super().available and self.entity_description.available_fn(
            self.coordinator.data
        )

    @property
    def native_value(self) -> StateType:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator.data)


class ChargerManagementSensor(ChargerControlEntity, SensorEntity):
    """What the manager decided for one charger."""

    entity_description: ChargerManagementSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator, self.subentry_id)


class WallConnectorSensor(WallConnectorEntity, SensorEntity):
    """A reading of one Wall Connector."""

    entity_description: WallConnectorSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value from the latest poll."""
        return self.entity_description.value_fn(self.coordinator.data)
