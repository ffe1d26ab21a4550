"""Which Home Assistant entities may serve as a meter, Powerwall or vehicle control.

An entity of this integration is never an input (the site's own "Grid power"
as its meter is a loop); a wrong domain, device class or unit is refused; an
entity that does not exist yet is only warned about, as its integration may
still be starting.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    UnitOfElectricCurrent,
    UnitOfPower,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    EntityWithDeviceFilterSelectorConfig,
)

from .const import CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY, DOMAIN

# Below this a Tesla cannot be commanded reliably: a number that cannot go
# lower and no switch means the car cannot be paused.
PAUSE_BELOW_A = 5


@dataclass(frozen=True, slots=True)
class Kind:
    """What an input entity must be: domains, device class, units."""

    domains: tuple[str, ...]
    device_class: str | None = None
    units: frozenset[str] | None = None


POWER = Kind(
    ("sensor",),
    "power",
    frozenset(
        {UnitOfPower.MILLIWATT, UnitOfPower.WATT, UnitOfPower.KILO_WATT}
        | {UnitOfPower.MEGA_WATT}
    ),
)
CURRENT = Kind(
    ("sensor",),
    "current",
    frozenset({UnitOfElectricCurrent.AMPERE, UnitOfElectricCurrent.MILLIAMPERE}),
)
BATTERY = Kind(("sensor",), "battery", frozenset({PERCENTAGE}))
GRID_STATUS = Kind(("binary_sensor", "sensor"))
CONTROL_CURRENT = Kind(("number",), None, frozenset({UnitOfElectricCurrent.AMPERE}))
CONTROL_SWITCH = Kind(("switch",))


def own_entities(hass: HomeAssistant) -> list[str]:
    """Return the entities of this integration (never inputs)."""
    return [
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.platform == DOMAIN
    ]


def picker(
    hass: HomeAssistant, kind: Kind, *, multiple: bool = False
) -> EntitySelector:
    """Return an entity picker showing only entities that fit ``kind``."""
    entity_filter = EntityWithDeviceFilterSelectorConfig(domain=list(kind.domains))
    if kind.device_class:
        entity_filter["device_class"] = kind.device_class
    if kind.units is not None:
        entity_filter["unit_of_measurement"] = sorted(kind.units)
    return EntitySelector(
        EntitySelectorConfig(
            filter=entity_filter,
            exclude_entities=own_entities(hass),
            multiple=multiple,
        )
    )


def problem(hass: HomeAssistant, entity_id: str, kind: Kind) -> str | None:
    """Return why an entity cannot be this input (an error key), or None."""
    if entity_id.split(".", 1)[0] not in kind.domains:
        return "wrong_domain"
    entry = er.async_get(hass).async_get(entity_id)
    if entry is not None and entry.platform == DOMAIN:
        return "own_entity"
    state = hass.states.get(entity_id)
    if state is None:
        return None
    device_class = state.attributes.get(ATTR_DEVICE_CLASS)
    if kind.device_class and device_class not in (None, kind.device_class):
        return "wrong_device_class"
    unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
    if kind.units is not None and unit is not None and unit not in kind.units:
        return "wrong_unit"
    if kind.device_class and kind.units is not None and unit is None:
        return "wrong_unit"
    return None


def missing(hass: HomeAssistant, entity_ids: Iterable[str]) -> list[str]:
    """Return the entities that have no state (not there, or not started)."""
    return [entity_id for entity_id in entity_ids if hass.states.get(entity_id) is None]


def cannot_pause(hass: HomeAssistant, data: Mapping[str, object]) -> bool:
    """Return whether a charger's control can neither pause its car nor go low."""
    current = data.get(CONF_CURRENT_ENTITY)
    if not isinstance(current, str) or data.get(CONF_SWITCH_ENTITY):
        return False
    state = hass.states.get(current)
    if state is None:
        return False
    minimum = state.attributes.get("min")
    return isinstance(minimum, int | float) and minimum >= PAUSE_BELOW_A


def controls_in_use(
    hass: HomeAssistant, exclude_subentry: str | None
) -> dict[str, str]:
    """Return every control entity of every site's chargers: entity -> charger title."""
    used: dict[str, str] = {}
    for entry in hass.config_entries.async_entries(DOMAIN):
        for subentry_id, subentry in entry.subentries.items():
            if subentry_id == exclude_subentry:
                continue
            for key in (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY):
                if isinstance(entity := subentry.data.get(key), str):
                    used.setdefault(entity, subentry.title)
    return used
