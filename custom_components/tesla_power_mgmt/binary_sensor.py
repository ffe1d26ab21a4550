"""Binary sensors of each Wall Connector."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL
from .coordinator import WallConnectorData
from .entity import SiteDevice, SiteEntity, WallConnectorEntity
from .manager import ManagerData, PowerManager
from .models import TeslaPowerMgmtConfigEntry
from .overload import OverloadWatch
from .settings import has_powerwall

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
    manager = entry.runtime_data.manager
    site: list[BinarySensorEntity] = [
        OverloadBinarySensor(manager, OVERLOAD),
        SiteBinarySensor(manager, CHARGER_UNREACHABLE),
    ]
    if has_powerwall(entry.options):
        site.append(SiteBinarySensor(manager, GRID_OUTAGE))
    async_add_entities(site)


# Measurement noise a Wall Connector shows; not an overload on its own.
OVERLOAD_TOLERANCE_A = 1.0


def _excess(manager: PowerManager) -> bool:
    """Return whether the vehicles draw more than the site can give now."""
    decision = manager.data.decision
    if any(h < 0 for h in decision.panel_headroom_a or ()):
        return True
    return any(
        available is not None and drawn > available + OVERLOAD_TOLERANCE_A
        for drawn, available in zip(
            decision.network_current_a, decision.available_current_a, strict=True
        )
    )


def _unreachable(manager: PowerManager) -> bool:
    return any(not c.last_update_success for c in manager.chargers.values())


def _outage(data: ManagerData) -> bool | None:
    return None if data.site.grid_up is None else not data.site.grid_up


@dataclass(frozen=True, kw_only=True)
class SiteBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no state of the site and the device it belongs to."""

    device: SiteDevice
    value_fn: Callable[[PowerManager], bool | None]


OVERLOAD = SiteBinarySensorDescription(
    key="overload",
    translation_key="overload",
    device=SiteDevice.GROUP,
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=_excess,
)
CHARGER_UNREACHABLE = SiteBinarySensorDescription(
    key="charger_unreachable",
    translation_key="charger_unreachable",
    device=SiteDevice.GROUP,
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=_unreachable,
)
GRID_OUTAGE = SiteBinarySensorDescription(
    key="grid_outage",
    translation_key="grid_outage",
    device=SiteDevice.POWERWALL,
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=lambda manager: _outage(manager.data),
)


class SiteBinarySensor(SiteEntity, BinarySensorEntity):
    """A yes/no state of the site."""

    entity_description: SiteBinarySensorDescription

    def __init__(
        self, manager: PowerManager, description: SiteBinarySensorDescription
    ) -> None:
        """Create the sensor on its site device."""
        super().__init__(manager, description, description.device)

    @property
    def is_on(self) -> bool | None:
        """Return the state from the last evaluation."""
        return self.entity_description.value_fn(self.coordinator)


class OverloadBinarySensor(SiteBinarySensor):
    """On once an excess outlasts the vehicles' reaction (see ``overload``)."""

    def __init__(
        self, manager: PowerManager, description: SiteBinarySensorDescription
    ) -> None:
        """Start with no excess seen."""
        super().__init__(manager, description)
        options = manager.config_entry.options
        self._watch = OverloadWatch(
            poll_s=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
            meter_stale_s=manager.data.config.timing.meter_stale_s,
        )
        self._attr_is_on = self._update()

    def _update(self) -> bool:
        data = self.coordinator.data
        return self._watch.update(
            data.evaluated_at,
            self.entity_description.value_fn(self.coordinator) is True,
            data.site.meter_at,
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Take each evaluation, in order, so the excess is timed."""
        self._attr_is_on = self._update()
        super()._handle_coordinator_update()

    @property
    def is_on(self) -> bool:
        """Return whether the excess has outlasted the grace."""
        return bool(self._attr_is_on)

    @property
    def extra_state_attributes(self) -> dict[str, float]:
        """Return the grace in effect, for automations and the curious."""
        return {"grace_s": self._watch.grace_s}


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
