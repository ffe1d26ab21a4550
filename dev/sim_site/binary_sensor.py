"""The simulated Powerwall's grid status (on = grid connected, as in core)."""

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .entity import POWERWALL, SimEntity

GRID_STATUS = BinarySensorEntityDescription(
    key="grid_status",
    name="Grid status",
    device_class=BinarySensorDeviceClass.POWER,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SimConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the grid status when the site has a Powerwall."""
    runtime = entry.runtime_data
    if runtime.site is not None and runtime.site.powerwall is not None:
        async_add_entities([GridStatus(runtime, POWERWALL, GRID_STATUS)])


class GridStatus(SimEntity, BinarySensorEntity):
    """On while the utility grid is up."""

    @property
    def is_on(self) -> bool:
        """Whether the grid is connected."""
        return self.site.grid_up(self.site.now)
