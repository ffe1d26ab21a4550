"""Switches: power management on/off, sharing surplus solar, managing a charger."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .entity import ChargerControlEntity, SiteDevice, SiteEntity
from .manager import PowerManager
from .models import TeslaPowerMgmtConfigEntry
from .settings import has_powerwall

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ManagementSwitchDescription(SwitchEntityDescription):
    """A live on/off setting: where it lives in the manager's settings."""

    get: Callable[[PowerManager, str | None], bool]
    put: Callable[[PowerManager, str | None, bool], None]


def _set_enabled(manager: PowerManager, _charger: str | None, on: bool) -> None:
    manager.settings.management_enabled = on


def _set_share_solar(manager: PowerManager, _charger: str | None, on: bool) -> None:
    manager.settings.share_surplus_solar = on


def _set_managed(manager: PowerManager, charger: str | None, on: bool) -> None:
    assert charger is not None
    manager.settings.chargers[charger].managed = on


POWER_MANAGEMENT = ManagementSwitchDescription(
    key="power_management",
    translation_key="power_management",
    get=lambda manager, _: manager.settings.management_enabled,
    put=_set_enabled,
)
SHARE_SURPLUS_SOLAR = ManagementSwitchDescription(
    key="share_surplus_solar",
    translation_key="share_surplus_solar",
    entity_category=EntityCategory.CONFIG,
    get=lambda manager, _: manager.settings.share_surplus_solar,
    put=_set_share_solar,
)
MANAGED = ManagementSwitchDescription(
    key="managed",
    translation_key="managed",
    entity_category=EntityCategory.CONFIG,
    get=lambda manager, charger: manager.settings.chargers[str(charger)].managed,
    put=_set_managed,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the site's switches and one per charger."""
    manager = entry.runtime_data.manager
    for subentry_id in entry.runtime_data.chargers:
        async_add_entities(
            [ChargerSwitch(manager, subentry_id, MANAGED)],
            config_subentry_id=subentry_id,
        )
    site = [SiteSwitch(manager, POWER_MANAGEMENT, SiteDevice.GROUP)]
    if has_powerwall(entry.options):
        site.append(SiteSwitch(manager, SHARE_SURPLUS_SOLAR, SiteDevice.POWERWALL))
    async_add_entities(site)


class _ManagementSwitch(SwitchEntity, RestoreEntity):
    """Restores its setting; a change re-evaluates at once."""

    entity_description: ManagementSwitchDescription
    coordinator: PowerManager
    _charger: str | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last position (on unless it was off)."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self.entity_description.put(
                self.coordinator, self._charger, last.state != STATE_OFF
            )

    @property
    def is_on(self) -> bool:
        """Return the live setting."""
        return self.entity_description.get(self.coordinator, self._charger)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        self._set(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        self._set(on=False)

    def _set(self, *, on: bool) -> None:
        self.entity_description.put(self.coordinator, self._charger, on)
        self.async_write_ha_state()
        self.coordinator.async_evaluate()


class SiteSwitch(SiteEntity, _ManagementSwitch):
    """A setting of the site or its Powerwall."""


class ChargerSwitch(ChargerControlEntity, _ManagementSwitch):
    """A setting of one charger."""

    def __init__(
        self,
        manager: PowerManager,
        subentry_id: str,
        description: ManagementSwitchDescription,
    ) -> None:
        """Create the switch on the charger's device."""
        super().__init__(manager, subentry_id, description)
        self._charger = subentry_id
