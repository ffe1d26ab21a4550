"""Services to boost, pause and resume one charger."""

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import probatio

from .const import ATTR_DURATION, DOMAIN, SERVICE_BOOST, SERVICE_PAUSE, SERVICE_RESUME
from .manager import PowerManager

_CHARGER = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})
_BOOST = _CHARGER.extend(
    {
        probatio.Optional(ATTR_DURATION, default=60): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=24 * 60)
        )
    }
)


def _find(hass: HomeAssistant, device_id: str) -> tuple[PowerManager, str]:
    """Return the manager of the charger device and its subentry id."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": device_id},
        )
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if entry.entry_id not in device.config_entries:
            continue
        manager: PowerManager = entry.runtime_data.manager
        for subentry_id, charger in manager.chargers.items():
            if (DOMAIN, charger.serial_number) in device.identifiers:
                return manager, subentry_id
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_charger",
        translation_placeholders={"device": device.name_by_user or device.name or ""},
    )


async def _boost(call: ServiceCall) -> None:
    manager, charger = _find(call.hass, call.data[ATTR_DEVICE_ID])
    settings = manager.settings.chargers[charger]
    settings.boost_until = dt_util.utcnow().timestamp() + 60 * call.data[ATTR_DURATION]
    settings.paused = False
    manager.async_evaluate()


async def _pause(call: ServiceCall) -> None:
    manager, charger = _find(call.hass, call.data[ATTR_DEVICE_ID])
    manager.settings.chargers[charger].paused = True
    manager.async_evaluate()


async def _resume(call: ServiceCall) -> None:
    manager, charger = _find(call.hass, call.data[ATTR_DEVICE_ID])
    manager.settings.chargers[charger].paused = False
    manager.async_evaluate()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services (once, for every site)."""
    hass.services.async_register(DOMAIN, SERVICE_BOOST, _boost, schema=_BOOST)
    hass.services.async_register(DOMAIN, SERVICE_PAUSE, _pause, schema=_CHARGER)
    hass.services.async_register(DOMAIN, SERVICE_RESUME, _resume, schema=_CHARGER)
