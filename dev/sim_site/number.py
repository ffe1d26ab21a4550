"""Each vehicle's charge current and battery level, and the simulation speed."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .const import MAX_SPEED
from .devsite import DevSite, DevVehicle
from .entity import SIMULATOR, SimEntity, vehicle_device
from .runtime import SimRuntime


@dataclass(frozen=True, kw_only=True)
class SimNumberDescription(NumberEntityDescription):
    """A number of the simulated site."""

    value_fn: Callable[[SimRuntime, DevSite], float]
    set_fn: Callable[[SimRuntime, DevSite, float], None]


def _speed(runtime: SimRuntime, value: float) -> None:
    runtime.speed = value


SPEED = SimNumberDescription(
    key="speed",
    name="Speed",
    icon="mdi:fast-forward",
    native_min_value=0,
    native_max_value=MAX_SPEED,
    native_step=1,
    mode=NumberMode.BOX,
    native_unit_of_measurement="x",
    entity_category=EntityCategory.CONFIG,
    value_fn=lambda runtime, _site: runtime.speed,
    set_fn=lambda runtime, _site, value: _speed(runtime, value),
)


def _vehicle_numbers(vehicle: DevVehicle) -> tuple[SimNumberDescription, ...]:
    name = vehicle.spec.name

    def car(site: DevSite) -> DevVehicle:
        return site.dev_vehicles[name]

    def set_current(_runtime: SimRuntime, site: DevSite, value: float) -> None:
        car(site).command_current(site.now, round(value))

    def set_soc(_runtime: SimRuntime, site: DevSite, value: float) -> None:
        car(site).soc_pct = value

    return (
        # Like Tesla Fleet's and Teslemetry's number.<car>_charge_current.
        SimNumberDescription(
            key="charge_current",
            name="Charge current",
            icon="mdi:current-ac",
            native_min_value=0,
            native_max_value=vehicle.spec.max_current_a,
            native_step=1,
            mode=NumberMode.BOX,
            device_class=NumberDeviceClass.CURRENT,
            native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
            value_fn=lambda _runtime, site: car(site).shown_current_setting(site.now),
            set_fn=set_current,
        ),
        SimNumberDescription(
            key="battery_level",
            name="Battery level",
            native_min_value=0,
            native_max_value=100,
            native_step=1,
            mode=NumberMode.SLIDER,
            device_class=NumberDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            value_fn=lambda _runtime, site: round(car(site).soc_pct, 1),
            set_fn=set_soc,
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SimConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the speed and every vehicle's numbers."""
    runtime = entry.runtime_data
    assert runtime.site is not None
    entities = [SimNumber(runtime, SIMULATOR, SPEED)]
    for vehicle in runtime.site.dev_vehicles.values():
        device = vehicle_device(vehicle.spec.name)
        entities += [
            SimNumber(runtime, device, description)
            for description in _vehicle_numbers(vehicle)
        ]
    async_add_entities(entities)


class SimNumber(SimEntity, NumberEntity):
    """A number that reads and drives the simulated site."""

    entity_description: SimNumberDescription

    @property
    def native_value(self) -> float:
        """Read the value from the site."""
        return self.entity_description.value_fn(self.runtime, self.site)

    async def async_set_native_value(self, value: float) -> None:
        """Drive the site, then show the result."""
        self.entity_description.set_fn(self.runtime, self.site, value)
        self.async_write_ha_state()
