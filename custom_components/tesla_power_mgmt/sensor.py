"""Sensors of each Wall Connector."""

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

from .coordinator import TeslaPowerMgmtConfigEntry, WallConnectorData
from .entity import WallConnectorEntity

# evse_state codes as the firmware reports them; other codes read "unknown".
EVSE_STATES = {
    0: "booting",
    1: "not_connected",
    2: "connected",
    4: "ready",
    6: "negotiating",
    7: "error",
    8: "charging_finished",
    9: "waiting_car",
    10: "charging_reduced",
    11: "charging",
}

PARALLEL_UPDATES = 0


def _evse_state(code: int | None) -> str | None:
    return None if code is None else EVSE_STATES.get(code)


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
        value_fn=lambda data: _evse_state(data.vitals.evse_state),
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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every configured Wall Connector."""
    for subentry_id, coordinator in entry.runtime_data.chargers.items():
        async_add_entities(
            (
                WallConnectorSensor(coordinator, description)
                for description in SENSORS
                if coordinator.three_phase_site or not description.three_phase_only
            ),
            config_subentry_id=subentry_id,
        )


class WallConnectorSensor(WallConnectorEntity, SensorEntity):
    """A reading of one Wall Connector."""

    entity_description: WallConnectorSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value from the latest poll."""
        return self.entity_description.value_fn(self.coordinator.data)
