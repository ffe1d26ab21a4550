"""A charger's form fields and their check, for the subentry and discovery flows.

Both ask the same of the user (breaker, phases, the car's control) and
refuse the same: a breaker below what gives 6 A, a fraction, our own
entities, a control another charger uses, a network limit this charger
would put out of range. Missing entities and a car that cannot be paused
are warnings: shown once, taken when submitted again.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio

from . import entity_inputs, group_input, validators
from .const import (
    CONF_BREAKER,
    CONF_CURRENT_ENTITY,
    CONF_GROUP,
    CONF_NETWORK_LIMIT,
    CONF_PHASES,
    CONF_REGION,
    CONF_SUPPLY,
    CONF_SWITCH_ENTITY,
    CONF_WIRED_PHASE,
    DEFAULT_PORT,
    NAMEPLATE_CURRENT,
    Supply,
    WiredPhase,
)
from .engine import Region, charger_max_current, network_limit_range
from .selectors import number
from .settings import charger_subentries, hardware_max_current

type Checked = tuple[dict[str, str], dict[str, str], dict[str, Any]]


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


def fields(hass: HomeAssistant, site: ConfigEntry) -> dict[probatio.Marker, Any]:
    """Return the breaker, phase and control fields of a charger's form."""
    # No default: a guess here would be the car's limit on a real circuit.
    result: dict[probatio.Marker, Any] = {
        probatio.Optional(CONF_BREAKER): number(validators.BREAKER)
    }
    if site.data[CONF_SUPPLY] == Supply.THREE_PHASE:
        result[probatio.Required(CONF_PHASES, default="3")] = _select(
            ["1", "3"], CONF_PHASES
        )
        result[probatio.Required(CONF_WIRED_PHASE, default=WiredPhase.L1)] = _select(
            list(WiredPhase), CONF_WIRED_PHASE
        )
    result |= group_input.picker(site)
    result[probatio.Optional(CONF_CURRENT_ENTITY)] = entity_inputs.picker(
        hass, entity_inputs.CONTROL_CURRENT
    )
    result[probatio.Optional(CONF_SWITCH_ENTITY)] = entity_inputs.picker(
        hass, entity_inputs.CONTROL_SWITCH
    )
    return result


def check(
    hass: HomeAssistant,
    site: ConfigEntry,
    user_input: Mapping[str, Any],
    subentry_id: str | None,
) -> Checked:
    """Check a charger's input without the network: errors, placeholders, data."""
    region = Region(site.data[CONF_REGION])
    cleaned, errors, placeholders = validators.amounts(
        user_input, {CONF_PORT: validators.PORT}
    )
    data: dict[str, Any] = {CONF_PORT: cleaned.get(CONF_PORT, DEFAULT_PORT)}
    try:
        data[CONF_HOST] = validators.host(user_input[CONF_HOST])
    except validators.InvalidValueError as err:
        errors[CONF_HOST] = err.key
    try:
        data[CONF_BREAKER] = validators.breaker(user_input.get(CONF_BREAKER), region)
    except validators.InvalidValueError as err:
        errors[CONF_BREAKER] = (
            "breaker_required" if user_input.get(CONF_BREAKER) is None else err.key
        )
        placeholders = placeholders or err.placeholders
    data[CONF_PHASES] = int(user_input.get(CONF_PHASES, 1))
    if data[CONF_PHASES] == 1 and CONF_WIRED_PHASE in user_input:
        data[CONF_WIRED_PHASE] = WiredPhase(user_input[CONF_WIRED_PHASE])
    for key in (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY, CONF_GROUP):
        if user_input.get(key):
            data[key] = user_input[key]
    errors.update(_control_errors(hass, user_input, subentry_id, placeholders))
    if not errors and (limit := _network_limit_error(site, data, subentry_id)):
        errors["base"] = "network_limit_range"
        placeholders = limit
    if not errors and (group := _group_error(site, data, subentry_id)):
        errors[CONF_GROUP] = "group_limit_range"
        placeholders = group
    return errors, placeholders, data


def _group_error(
    site: ConfigEntry, data: Mapping[str, Any], subentry_id: str | None
) -> dict[str, str] | None:
    """Return the first group this charger would put out of its range."""
    region = Region(site.data[CONF_REGION])
    max_a = charger_max_current(region, data[CONF_BREAKER], NAMEPLATE_CURRENT[region])
    return group_input.charger_error(site, max_a, data.get(CONF_GROUP), subentry_id)


def _control_errors(
    hass: HomeAssistant,
    user_input: Mapping[str, Any],
    subentry_id: str | None,
    placeholders: dict[str, str],
) -> dict[str, str]:
    """Refuse our own entities and a control another charger already uses."""
    errors: dict[str, str] = {}
    in_use = entity_inputs.controls_in_use(hass, subentry_id)
    for key, kind in (
        (CONF_CURRENT_ENTITY, entity_inputs.CONTROL_CURRENT),
        (CONF_SWITCH_ENTITY, entity_inputs.CONTROL_SWITCH),
    ):
        if not (entity := user_input.get(key)):
            continue
        if problem := entity_inputs.problem(hass, entity, kind):
            errors[key] = problem
        elif entity in in_use:
            errors[key] = "control_in_use"
            placeholders["charger"] = in_use[entity]
    if user_input.get(CONF_SWITCH_ENTITY) and not user_input.get(CONF_CURRENT_ENTITY):
        errors[CONF_CURRENT_ENTITY] = "switch_without_current"
    return errors


def _network_limit_error(
    site: ConfigEntry, data: Mapping[str, Any], subentry_id: str | None
) -> dict[str, str] | None:
    """Return the new valid range if this charger takes the network limit out."""
    limit = site.options.get(CONF_NETWORK_LIMIT)
    if limit is None:
        return None
    region = Region(site.data[CONF_REGION])
    maxima = [
        hardware_max_current(site, subentry)
        for other_id, subentry in charger_subentries(site).items()
        if other_id != subentry_id
    ]
    maxima.append(
        charger_max_current(region, data[CONF_BREAKER], NAMEPLATE_CURRENT[region])
    )
    low, high = network_limit_range(maxima)
    if low <= limit <= high:
        return None
    return {"limit": str(limit), "low": str(low), "high": str(high)}


class Warnings:
    """What is allowed but worth a second look; each shown once per input."""

    def __init__(self) -> None:
        """Nothing shown yet."""
        self._shown: frozenset[tuple[str, str, str]] = frozenset()

    def new(self, hass: HomeAssistant, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Return the warnings not yet shown for this input (and mark them shown)."""
        warnings: dict[str, str] = {}
        for key in (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY):
            entity = user_input.get(key)
            if entity and entity_inputs.missing(hass, [entity]):
                warnings[key] = "entity_missing"
        if entity_inputs.cannot_pause(hass, user_input):
            warnings["base"] = "cannot_pause"
        shown = frozenset(
            (
                key,
                warning,
                str(user_input.get(key, user_input.get(CONF_CURRENT_ENTITY))),
            )
            for key, warning in warnings.items()
        )
        if shown <= self._shown:
            return {}
        self._shown = shown
        return warnings
