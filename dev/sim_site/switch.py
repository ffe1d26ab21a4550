"""Vehicle charge switches, plugs, and the events a developer can trigger."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .devsite import DevSite
from .entity import SIMULATOR, SimEntity, vehicle_device


@dataclass(frozen=True, kw_only=True)
class SimSwitchDescription(SwitchEntityDescription):
    """A switch of the simulated site."""

    is_on_fn: Callable[[DevSite], bool]
    set_fn: Callable[[DevSite, bool], None]


def _set_outage(site: DevSite, on: bool) -> None:
    site.forced_outage = on


def _set_spike(site: DevSite, on: bool) -> None:
    site.spike = on


EVENTS = (
    SimSwitchDescription(
        key="grid_outage",
        name="Grid outage",
        icon="mdi:transmission-tower-off",
        is_on_fn=lambda site: site.forced_outage,
        set_fn=_set_outage,
    ),
    SimSwitchDescription(
        key="appliance_spike",
        name="Appliance spike",
        icon="mdi:stove",
        is_on_fn=lambda site: site.spike,
        set_fn=_set_spike,
    ),
)


def _offline(charger_id: str) -> SimSwitchDescription:
    def set_offline(site: DevSite, on: bool) -> None:
        site.set_offline(charger_id, on)

    return SimSwitchDescription(
        key=f"{charger_id}_offline",
        name=f"{charger_id.title()} offline",
        icon="mdi:lan-disconnect",
        is_on_fn=lambda site: site.offline(charger_id),
        set_fn=set_offline,
    )


def _vehicle_switches(name: str) -> tuple[SimSwitchDescription, ...]:
    def set_charging(site: DevSite, on: bool) -> None:
        site.dev_vehicles[name].command_charging(site.now, on)

    def set_plugged(site: DevSite, on: bool) -> None:
        site.dev_vehicles[name].plugged = on

    return (
        # Like Tesla Fleet's and Teslemetry's switch.<car>_charge.
        SimSwitchDescription(
            key="charge",
            name="Charge",
            icon="mdi:ev-station",
            is_on_fn=lambda site: site.dev_vehicles[name].shown_charging(site.now),
            set_fn=set_charging,
        ),
        SimSwitchDescription(
            key="plugged_in",
            name="Plugged in",
            icon="mdi:power-plug",
            entity_category=EntityCategory.CONFIG,
            is_on_fn=lambda site: site.dev_vehicles[name].plugged,
            set_fn=set_plugged,
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SimConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event switches, one offline switch per charger, vehicle switches."""
    runtime = entry.runtime_data
    assert runtime.site is not None
    entities = [SimSwitch(runtime, SIMULATOR, d) for d in EVENTS]
    entities += [
        SimSwitch(runtime, SIMULATOR, _offline(c)) for c in runtime.site.chargers
    ]
    for name in runtime.site.dev_vehicles:
        entities += [
            SimSwitch(runtime, vehicle_device(name), d) for d in _vehicle_switches(name)
        ]
    async_add_entities(entities)


class SimSwitch(SimEntity, SwitchEntity):
    """A switch that reads and drives the simulated site."""

    entity_description: SimSwitchDescription

    @property
    def is_on(self) -> bool:
        """Read the state from the site."""
        return self.entity_description.is_on_fn(self.site)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        self.entity_description.set_fn(self.site, True)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        self.entity_description.set_fn(self.site, False)
        self.async_write_ha_state()
