"""Numbers: live limits of the site and power level and priority of chargers.

They are restored after a restart. A site limit that the user changed in the
options since it was saved starts from the new option instead.
"""

from collections.abc import Callable
from dataclasses import dataclass
import math
from typing import Any, Self

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberExtraStoredData,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    CONF_CHARGING_THRESHOLD,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_SAFETY_MARGIN,
)
from .engine import MIN_CURRENT_A, network_limit_range
from .entity import ChargerControlEntity, SiteDevice, SiteEntity
from .manager import PowerManager
from .models import TeslaPowerMgmtConfigEntry
from .services import invalid_value
from .settings import (
    ChargerSettings,
    SiteSettings,
    charger_subentries,
    hardware_max_current,
    has_meter,
    has_powerwall,
)
from .validators import Amount, InvalidValueError

PARALLEL_UPDATES = 0


def _amount(entity: NumberEntity) -> Amount:
    """Return what the entity accepts: its own bounds, in whole units if stepped so."""
    return Amount(
        entity.min_value,
        entity.max_value,
        entity.native_unit_of_measurement,
        whole=float(entity.step).is_integer(),
        step=entity.step,
    )


def _checked(entity: NumberEntity, value: float) -> float:
    """Return the value, or raise a translated refusal (HA lets ``nan`` through)."""
    try:
        return _amount(entity).check(value)
    except InvalidValueError as err:
        raise invalid_value(entity.entity_id, value, err) from None


def _restorable(entity: NumberEntity, value: float | None) -> float | None:
    """Return a restored value if it is still valid, else None (start fresh)."""
    try:
        return _amount(entity).check(value)
    except InvalidValueError:
        return None


@dataclass(frozen=True, kw_only=True)
class SiteNumberDescription(NumberEntityDescription):
    """A live site limit, seeded from the option ``option``."""

    device: SiteDevice
    option: str
    get: Callable[[SiteSettings], float | None]
    put: Callable[[SiteSettings, float], None]


def _amps(key: str, device: SiteDevice, **kwargs: Any) -> dict[str, Any]:
    return {
        "key": key,
        "translation_key": key,
        "device": device,
        "device_class": NumberDeviceClass.CURRENT,
        "native_unit_of_measurement": UnitOfElectricCurrent.AMPERE,
        "native_step": 1,
        "mode": NumberMode.BOX,
        "entity_category": EntityCategory.CONFIG,
        **kwargs,
    }


def _set_network_limit(settings: SiteSettings, value: float) -> None:
    settings.network_limit_a = value


def _set_panel_limit(settings: SiteSettings, value: float) -> None:
    settings.panel_limit_a = value


def _set_margin(settings: SiteSettings, value: float) -> None:
    settings.safety_margin_a = value


def _set_threshold(settings: SiteSettings, value: float) -> None:
    settings.charging_threshold_pct = value


PANEL_LIMIT = SiteNumberDescription(
    **_amps(
        "panel_limit", SiteDevice.GROUP, native_min_value=10, native_max_value=1000
    ),
    option=CONF_PANEL_LIMIT,
    get=lambda settings: settings.panel_limit_a,
    put=_set_panel_limit,
)
SAFETY_MARGIN = SiteNumberDescription(
    **_amps("safety_margin", SiteDevice.GROUP, native_min_value=0, native_max_value=50),
    option=CONF_SAFETY_MARGIN,
    get=lambda settings: settings.safety_margin_a,
    put=_set_margin,
)
CHARGING_THRESHOLD = SiteNumberDescription(
    key="charging_threshold",
    translation_key="charging_threshold",
    device=SiteDevice.POWERWALL,
    native_unit_of_measurement=PERCENTAGE,
    native_min_value=0,
    native_max_value=100,
    native_step=1,
    mode=NumberMode.SLIDER,
    entity_category=EntityCategory.CONFIG,
    option=CONF_CHARGING_THRESHOLD,
    get=lambda settings: settings.charging_threshold_pct,
    put=_set_threshold,
)


@dataclass(frozen=True, kw_only=True)
class ChargerNumberDescription(NumberEntityDescription):
    """A live setting of one charger."""

    get: Callable[[ChargerSettings], int | None]
    put: Callable[[ChargerSettings, int], None]


def _set_power_level(settings: ChargerSettings, value: int) -> None:
    settings.power_level_a = value


def _set_priority(settings: ChargerSettings, value: int) -> None:
    settings.priority = value


POWER_LEVEL = ChargerNumberDescription(
    key="power_level",
    translation_key="power_level",
    device_class=NumberDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    native_min_value=MIN_CURRENT_A,
    native_step=1,
    mode=NumberMode.SLIDER,
    entity_category=EntityCategory.CONFIG,
    get=lambda settings: settings.power_level_a,
    put=_set_power_level,
)
PRIORITY = ChargerNumberDescription(
    key="priority",
    translation_key="priority",
    native_min_value=0,
    native_max_value=10,
    native_step=1,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
    get=lambda settings: settings.priority,
    put=_set_priority,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers the site's configuration calls for."""
    manager = entry.runtime_data.manager
    for subentry_id, subentry in charger_subentries(entry).items():
        maximum = hardware_max_current(entry, subentry)
        async_add_entities(
            [
                ChargerNumber(manager, subentry_id, POWER_LEVEL, maximum),
                ChargerNumber(manager, subentry_id, PRIORITY, None),
            ],
            config_subentry_id=subentry_id,
        )
    site: list[SiteNumber] = []
    if entry.options.get(CONF_NETWORK_LIMIT) is not None:
        low, high = network_limit_range(
            [hardware_max_current(entry, s) for s in charger_subentries(entry).values()]
        )
        network_limit = SiteNumberDescription(
            **_amps(
                "network_limit",
                SiteDevice.GROUP,
                native_min_value=low,
                native_max_value=high,
            ),
            option=CONF_NETWORK_LIMIT,
            get=lambda settings: settings.network_limit_a,
            put=_set_network_limit,
        )
        site.append(SiteNumber(manager, network_limit))
    if has_meter(entry.options):
        site.extend(SiteNumber(manager, d) for d in (PANEL_LIMIT, SAFETY_MARGIN))
    if has_powerwall(entry.options):
        site.append(SiteNumber(manager, CHARGING_THRESHOLD))
    async_add_entities(site)


@dataclass
class SiteNumberStoredData(NumberExtraStoredData):
    """A restored limit, with the option value it was set against."""

    configured: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a dict for storage."""
        return {**super().as_dict(), "configured": self.configured}

    @classmethod
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """Rebuild from storage."""
        base = NumberExtraStoredData.from_dict(restored)
        if base is None:
            return None
        return cls(
            base.native_max_value,
            base.native_min_value,
            base.native_step,
            base.native_unit_of_measurement,
            base.native_value,
            restored.get("configured"),
        )


class SiteNumber(SiteEntity, RestoreNumber):
    """A site limit the user can change at run time."""

    entity_description: SiteNumberDescription

    def __init__(
        self, manager: PowerManager, description: SiteNumberDescription
    ) -> None:
        """Create the number on its site device."""
        super().__init__(manager, description, description.device)

    @property
    def _configured(self) -> float | None:
        return self.coordinator.config_entry.options.get(self.entity_description.option)

    async def async_added_to_hass(self) -> None:
        """Restore the last value unless the option changed since."""
        await super().async_added_to_hass()
        last = await self.async_get_last_extra_data()
        if last is None:
            return
        stored = SiteNumberStoredData.from_dict(last.as_dict())
        if (
            stored is not None
            and stored.configured == self._configured
            and (value := _restorable(self, stored.native_value)) is not None
        ):
            self.entity_description.put(self.coordinator.settings, value)

    @property
    def extra_restore_state_data(self) -> SiteNumberStoredData:
        """Store the value with the option it was set against."""
        base = super().extra_restore_state_data
        return SiteNumberStoredData(
            base.native_max_value,
            base.native_min_value,
            base.native_step,
            base.native_unit_of_measurement,
            base.native_value,
            self._configured,
        )

    @property
    def native_value(self) -> float | None:
        """Return the live value."""
        return self.entity_description.get(self.coordinator.settings)

    async def async_set_native_value(self, value: float) -> None:
        """Change the limit and re-evaluate at once (a non-finite value never)."""
        checked = _checked(self, value)
        self.entity_description.put(self.coordinator.settings, checked)
        self.coordinator.async_evaluate()


class ChargerNumber(ChargerControlEntity, RestoreNumber):
    """A charger's power level or priority."""

    entity_description: ChargerNumberDescription

    def __init__(
        self,
        manager: PowerManager,
        subentry_id: str,
        description: ChargerNumberDescription,
        maximum: int | None,
    ) -> None:
        """Create the number; the power level's maximum is the hardware's."""
        super().__init__(manager, subentry_id, description)
        self._maximum = maximum
        if maximum is not None:
            self._attr_native_max_value = maximum

    @property
    def _settings(self) -> ChargerSettings:
        return self.coordinator.settings.chargers[self.subentry_id]

    async def async_added_to_hass(self) -> None:
        """Restore the last value, bounded to what the hardware allows now."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is None or not isinstance(last.native_value, int | float):
            return
        value = last.native_value
        if self._maximum is not None and math.isfinite(value):
            # Bounded to what the hardware allows now.
            value = max(min(value, self._maximum), MIN_CURRENT_A)
        if (restored := _restorable(self, value)) is not None:
            self.entity_description.put(self._settings, int(restored))

    @property
    def native_value(self) -> float | None:
        """Return the live value (the power level defaults to the maximum)."""
        value = self.entity_description.get(self._settings)
        return self._maximum if value is None else value

    async def async_set_native_value(self, value: float) -> None:
        """Change the setting and re-evaluate at once (whole, finite, in range)."""
        self.entity_description.put(self._settings, int(_checked(self, value)))
        self.coordinator.async_evaluate()
