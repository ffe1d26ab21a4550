"""Base entity for a Wall Connector's entities."""

from enum import StrEnum

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import WallConnectorCoordinator
from .manager import PowerManager


def offered(entry: ConfigEntry, unique_id: str) -> None:
    """Note an entity this setup offers, so older ones can be told stale."""
    entry.runtime_data.unique_ids.add(unique_id)


def charger_device_info(coordinator: WallConnectorCoordinator) -> DeviceInfo:
    """Return the device info of one Wall Connector."""
    identity = coordinator.identity
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.serial_number)},
        name=coordinator.subentry.title,
        manufacturer="Tesla",
        model="Wall Connector Gen 3",
        model_id=identity.part_number if identity else None,
        serial_number=coordinator.serial_number,
        sw_version=identity.firmware_version if identity else None,
    )


class WallConnectorEntity(CoordinatorEntity[WallConnectorCoordinator]):
    """An entity of one Wall Connector device, unique by its serial number."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: WallConnectorCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the unit's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.serial_number}_{description.key}"
        self._attr_device_info = charger_device_info(coordinator)
        offered(coordinator.config_entry, self._attr_unique_id)


class SiteDevice(StrEnum):
    """The site-level devices: the group, its power meter, its Powerwall."""

    GROUP = "group"
    METER = "meter"
    POWERWALL = "powerwall"


def site_device_info(entry: ConfigEntry, device: SiteDevice) -> DeviceInfo:
    """Return the device info of one of the site's devices."""
    if device is SiteDevice.GROUP:
        return DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Tesla Power Management",
            model="Power sharing group",
            entry_type=DeviceEntryType.SERVICE,
        )
    meter = device is SiteDevice.METER
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{device}")},
        name=f"{entry.title} {'power meter' if meter else 'Powerwall'}",
        manufacturer=None if meter else "Tesla",
        model="Power meter" if meter else "Powerwall",
    )


class SiteEntity(CoordinatorEntity[PowerManager]):
    """An entity of the site's group, meter or Powerwall device."""

    _attr_has_entity_name = True

    def __init__(
        self, manager: PowerManager, description: EntityDescription, device: SiteDevice
    ) -> None:
        """Attach the entity to one of the site's devices."""
        super().__init__(manager)
        self.entity_description = description
        entry = manager.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{device}_{description.key}"
        self._attr_device_info = site_device_info(entry, device)
        offered(entry, self._attr_unique_id)


class ChargerControlEntity(CoordinatorEntity[PowerManager]):
    """A power-management entity of one Wall Connector device."""

    _attr_has_entity_name = True

    def __init__(
        self, manager: PowerManager, subentry_id: str, description: EntityDescription
    ) -> None:
        """Attach the entity to the unit's device (made by its monitoring)."""
        super().__init__(manager)
        self.entity_description = description
        self.subentry_id = subentry_id
        charger = manager.chargers[subentry_id]
        self._attr_unique_id = f"{charger.serial_number}_{description.key}"
        self._attr_device_info = charger_device_info(charger)
        offered(manager.config_entry, self._attr_unique_id)
