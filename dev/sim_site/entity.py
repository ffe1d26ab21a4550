"""Base entity: one device per simulated thing, updated on every tick."""

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.util import slugify

from .const import DOMAIN
from .devsite import DevSite
from .runtime import SimRuntime

SIMULATOR = "simulator"
METER = "meter"
POWERWALL = "powerwall"

DEVICES: dict[str, tuple[str, str]] = {
    SIMULATOR: ("Simulator", "Development site controls"),
    METER: ("Sim meter", "Simulated site meter"),
    POWERWALL: ("Sim Powerwall", "Simulated Powerwall with solar"),
}


def vehicle_device(name: str) -> str:
    """Device key of a simulated vehicle, registered under the vehicle's name."""
    key = f"vehicle_{slugify(name)}"
    DEVICES.setdefault(key, (name, "Simulated vehicle"))
    return key


class SimEntity(Entity):
    """An entity of the simulated site; its state is read from the site."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, runtime: SimRuntime, device: str, description: EntityDescription
    ) -> None:
        """Attach to ``device`` (a key of DEVICES, or a vehicle's device key)."""
        self.runtime = runtime
        self.entity_description = description
        self._attr_unique_id = f"{device}_{description.key}"
        name, model = DEVICES[device]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device)},
            name=name,
            manufacturer="tesla_power_mgmt development",
            model=model,
        )

    @property
    def site(self) -> DevSite:
        """The running simulated site."""
        assert self.runtime.site is not None
        return self.runtime.site

    async def async_added_to_hass(self) -> None:
        """Write the state after every tick of the simulated clock."""
        self.async_on_remove(self.runtime.async_add_listener(self.async_write_ha_state))
