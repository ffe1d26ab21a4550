"""Base entity for a Wall Connector's entities."""

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import WallConnectorCoordinator


class WallConnectorEntity(CoordinatorEntity[WallConnectorCoordinator]):
    """An entity of one Wall Connector device, unique by its serial number."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: WallConnectorCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the unit's device."""
        super().__init__(coordinator)
        self.entity_description = description
        serial = coordinator.serial_number
        identity = coordinator.identity
        self._attr_unique_id = f"{serial}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, serial)},
            name=coordinator.subentry.title,
            manufacturer="Tesla",
            model="Wall Connector Gen 3",
            model_id=identity.part_number if identity else None,
            serial_number=serial,
            sw_version=identity.firmware_version if identity else None,
        )
