"""A device per power-sharing group: its chargers' current, its limit, what is left.

Figures come from the last evaluation (``ManagerData``): a charger counts for
its innermost group and every group that one sits in. Available current is
the least any of those groups leaves after what the engine counts for their
chargers (``reserved_a``), on the phases they use, never below 0.
"""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfElectricCurrent
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .engine import ChargerConfig, SiteConfig
from .entity import offered
from .manager import ManagerData, PowerManager


def _chain(config: SiteConfig, circuit: str | None) -> list[str]:
    """Return ``circuit`` and the circuits above it, innermost first."""
    parents = {c.circuit_id: c.parent for c in config.circuits}
    chain: list[str] = []
    while circuit is not None and circuit in parents and circuit not in chain:
        chain.append(circuit)
        circuit = parents[circuit]
    return chain


def members(config: SiteConfig, group_id: str) -> list[ChargerConfig]:
    """Return the chargers behind the group, nested groups included."""
    return [c for c in config.chargers if group_id in _chain(config, c.circuit)]


def _measured(data: ManagerData, charger: ChargerConfig) -> tuple[float, ...]:
    """Return a readable charger's current on each site phase (0 elsewhere)."""
    per_phase = [0.0] * data.config.phase_count
    reading = next(
        (r for r in data.readings.chargers if r.charger_id == charger.charger_id),
        None,
    )
    if reading is None or not reading.reachable or not reading.current_a:
        return tuple(per_phase)
    for index, phase in enumerate(charger.phases):
        given = reading.current_a
        per_phase[phase] = given[index] if index < len(given) else max(given)
    return tuple(per_phase)


def network_current(data: ManagerData, group_id: str) -> float:
    """Return the highest phase's sum of the group's chargers' measured current."""
    sums = [0.0] * data.config.phase_count
    for charger in members(data.config, group_id):
        for phase, amps in enumerate(_measured(data, charger)):
            sums[phase] += amps
    return round(max(sums), 1)


def limit(data: ManagerData, group_id: str) -> float | None:
    """Return the group's network limit per phase."""
    return next(
        (c.limit_a for c in data.config.circuits if c.circuit_id == group_id), None
    )


def available_current(data: ManagerData, group_id: str) -> float | None:
    """Return the least room the group or a group above it leaves, at least 0."""
    chargers = members(data.config, group_id)
    phases = {p for c in chargers for p in c.phases} or set(
        range(data.config.phase_count)
    )
    rooms: list[float] = []
    for circuit in _chain(data.config, group_id):
        counted = [0.0] * data.config.phase_count
        for charger in members(data.config, circuit):
            decided = data.decision.chargers.get(charger.charger_id)
            for phase, amps in enumerate(decided.reserved_a if decided else ()):
                counted[phase] += amps
        top = limit(data, circuit) or 0.0
        rooms.extend(top - counted[phase] for phase in phases)
    return round(max(min(rooms), 0.0), 1) if rooms else None


@dataclass(frozen=True, kw_only=True)
class GroupSensorDescription(SensorEntityDescription):
    """A sensor of one power-sharing group, from the last evaluation."""

    value_fn: Callable[[ManagerData, str], StateType]


def _amps(
    key: str, read: Callable[[ManagerData, str], StateType]
) -> GroupSensorDescription:
    return GroupSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=read,
    )


GROUP_DEVICE_SENSORS: tuple[GroupSensorDescription, ...] = (
    _amps("network_current", network_current),
    _amps("group_limit", limit),
    _amps("available_current", available_current),
)


class GroupSensor(CoordinatorEntity[PowerManager], SensorEntity):
    """A figure of one power-sharing group."""

    _attr_has_entity_name = True
    entity_description: GroupSensorDescription

    def __init__(
        self,
        manager: PowerManager,
        group_id: str,
        title: str,
        description: GroupSensorDescription,
    ) -> None:
        """Attach the entity to the group's device."""
        super().__init__(manager)
        self.entity_description = description
        self.group_id = group_id
        entry = manager.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{group_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{group_id}")},
            name=title,
            manufacturer="Tesla Power Management",
            model="Power-sharing group",
            entry_type=DeviceEntryType.SERVICE,
        )
        offered(entry, self._attr_unique_id)

    @property
    def native_value(self) -> StateType:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator.data, self.group_id)
