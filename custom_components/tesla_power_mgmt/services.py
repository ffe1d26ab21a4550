"""Services to boost (and end a boost), pause and resume one charger."""

from typing import Any

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import probatio

from . import validators
from .const import (
    ATTR_DURATION,
    CONF_CURRENT_ENTITY,
    DOMAIN,
    SERVICE_BOOST,
    SERVICE_END_BOOST,
    SERVICE_PAUSE,
    SERVICE_RESUME,
)
from .manager import PowerManager

_CHARGER = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})
# The duration is checked in the handler, for a translated refusal.
_BOOST = _CHARGER.extend({probatio.Optional(ATTR_DURATION, default=60): object})


def invalid_value(
    field: str, value: Any, err: validators.InvalidValueError
) -> ServiceValidationError:
    """Return the translated refusal of a value given to a service or entity."""
    placeholders = {
        "field": field,
        "value": str(value),
        "low": "",
        "high": "",
        **err.placeholders,
    }
    if err.key == "not_finite":
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_finite",
            translation_placeholders=placeholders,
        )
    if err.key == "not_whole":
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_whole",
            translation_placeholders=placeholders,
        )
    if err.key == "out_of_range":
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="out_of_range",
            translation_placeholders=placeholders,
        )
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_number",
        translation_placeholders=placeholders,
    )


def _find(hass: HomeAssistant, device_id: str) -> tuple[PowerManager, str]:
    """Return the manager of a charger its vehicle can be commanded at."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": device_id},
        )
    name = {"device": device.name_by_user or device.name or ""}
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if entry.entry_id != device.config_entry_id:
            continue
        manager: PowerManager = entry.runtime_data.manager
        for subentry_id, charger in manager.chargers.items():
            if (DOMAIN, charger.serial_number) not in device.identifiers:
                continue
            if not manager.subentries[subentry_id].data.get(CONF_CURRENT_ENTITY):
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="charger_not_controllable",
                    translation_placeholders=name,
                )
            settings = manager.settings
            if settings.monitor_only or not settings.chargers[subentry_id].commandable:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="charger_not_managed",
                    translation_placeholders=name,
                )
            return manager, subentry_id
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_charger",
        translation_placeholders=name,
    )


async def _boost(call: ServiceCall) -> None:
    duration = call.data[ATTR_DURATION]
    try:
        minutes = validators.BOOST_MINUTES.parse(duration)
    except validators.InvalidValueError as err:
        raise invalid_value(ATTR_DURATION, duration, err) from None
    manager, charger = _find(call.hass, call.data[ATTR_DEVICE_ID])
    settings = manager.settings.chargers[charger]
    settings.boost_until = dt_util.utcnow().timestamp() + 60 * minutes
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


async def _end_boost(call: ServiceCall) -> None:
    manager, charger = _find(call.hass, call.data[ATTR_DEVICE_ID])
    manager.settings.chargers[charger].boost_until = None
    manager.async_evaluate()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services (once, for every site)."""
    hass.services.async_register(DOMAIN, SERVICE_BOOST, _boost, schema=_BOOST)
    hass.services.async_register(DOMAIN, SERVICE_PAUSE, _pause, schema=_CHARGER)
    hass.services.async_register(DOMAIN, SERVICE_RESUME, _resume, schema=_CHARGER)
    hass.services.async_register(DOMAIN, SERVICE_END_BOOST, _end_boost, schema=_CHARGER)
