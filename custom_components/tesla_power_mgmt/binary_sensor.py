"""Binary sensors of each Wall Connector."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TeslaPowerMgmtConfigEntry, WallConnectorData
from .entity import WallConnectorEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class WallConnectorBinarySensorDescription(BinarySensorEntityDescription):
    """A Wall Connector binary sensor and how to read it."""

    value_fn: Callable[[WallConnectorData], bool | None]


BINARY_SENSORS: tuple[WallConnectorBinarySensorDescription, ...] = (
    WallConnectorBinarySensorDescription(
        key="vehicle_connected",
        translation_key="vehicle_connected",
        device_class=BinarySensorDeviceClass.PLUG,
        value_fn=lambda data: data.vitals.vehicle_connected,
    ),
    WallConnectorBinarySensorDescription(
        key="charging",
        translation_key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        value_fn=lambda data: data.vitals.contactor_closed,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every configured Wall Connector."""
    for subentry_id, coordinator in entry.runtime_data.chargers.items():
        entities: list[BinarySensorEntity] = [
            WallConnectorBinarySensor(coordinator, description)
            for description in BINARY_SENSORS
        ]
        entities.append(WallConnectorOnline(coordinator, ONLINE))
        async_add_entities(entities, config_subentry_id=subentry_id)


class WallConnectorBinarySensor(WallConnectorEntity, BinarySensorEntity):
    """A yes/no reading of one Wall Connector."""

    entity_description: WallConnectorBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the value from the latest poll."""
        return self.entity_description.value_fn(self.coordinator.data)


ONLINE = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class WallConnectorOnline(WallConnectorEntity, BinarySensorEntity):
    """Whether the unit answered its last poll; available even when it did not."""

    @property
    def available(self) -> bool:
        """Stay available: being offline is this entity's state, not a gap."""
        return True

    @property
    def is_on(self) -> bool:
        """Return True when the last poll succeeded."""
        return self.coordinator.last_update_success
