"""The End boost button of each Wall Connector."""

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import ChargerControlEntity
from .models import TeslaPowerMgmtConfigEntry

END_BOOST = ButtonEntityDescription(key="end_boost", translation_key="end_boost")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TeslaPowerMgmtConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one End boost button per charger."""
    manager = entry.runtime_data.manager
    for subentry_id in entry.runtime_data.chargers:
        async_add_entities(
            [EndBoostButton(manager, subentry_id, END_BOOST)],
            config_subentry_id=subentry_id,
        )


class EndBoostButton(ChargerControlEntity, ButtonEntity):
    """Ends the charger's boost now, as the end_boost service does."""

    async def async_press(self) -> None:
        """End the boost (nothing to do without one) and evaluate at once."""
        self.coordinator.settings.chargers[self.subentry_id].boost_until = None
        self.coordinator.async_evaluate()
