"""Site options: polling, power meter, group, Powerwall and timing, one page each."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio

from . import entity_inputs, validators
from .const import (
    CONF_BACKED_UP_PHASES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_INCREASE_DEADBAND,
    CONF_INCREASE_INTERVAL,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_NOT_DRAWING_AFTER,
    CONF_OUTAGE_MARGIN,
    CONF_PANEL_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_POWERWALL_UNITS,
    CONF_RESUME_DELAY,
    CONF_ROTATION_INTERVAL,
    CONF_SAFETY_MARGIN,
    CONF_SCAN_INTERVAL,
    CONF_SOLAR_POWER_ENTITY,
    CONF_STALE_FALLBACK,
    CONF_SUPPLY,
    DEFAULT_CHARGING_THRESHOLD,
    DEFAULT_DISCHARGE_CAPABILITY,
    DEFAULT_OUTAGE_MARGIN,
    DEFAULT_SAFETY_MARGIN,
    DEFAULT_SCAN_INTERVAL,
    BackedUpPhases,
    Supply,
)
from .engine import Timing, network_limit_range
from .selectors import number
from .settings import charger_subentries, hardware_max_current
from .validators import OPTION_AMOUNTS, Amount

POWERWALL_PLATFORMS = ("powerwall", "teslemetry", "tesla_fleet", "tessie")
_DEFAULT_TIMING = Timing()
# Option: engine default, shown as the field's default.
_TIMING_DEFAULTS: dict[str, float] = {
    CONF_METER_STALE: _DEFAULT_TIMING.meter_stale_s,
    CONF_INCREASE_INTERVAL: _DEFAULT_TIMING.increase_interval_s,
    CONF_INCREASE_DEADBAND: _DEFAULT_TIMING.increase_deadband_a,
    CONF_RESUME_DELAY: _DEFAULT_TIMING.resume_delay_s,
    CONF_ROTATION_INTERVAL: _DEFAULT_TIMING.rotation_interval_s,
    CONF_NOT_DRAWING_AFTER: _DEFAULT_TIMING.not_drawing_after_s,
}
_METER_KEYS = (
    CONF_GRID_POWER_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PANEL_LIMIT,
    CONF_SAFETY_MARGIN,
)
_POWERWALL_ENTITIES: dict[str, entity_inputs.Kind] = {
    CONF_BATTERY_LEVEL_ENTITY: entity_inputs.BATTERY,
    CONF_GRID_STATUS_ENTITY: entity_inputs.GRID_STATUS,
    CONF_SOLAR_POWER_ENTITY: entity_inputs.POWER,
    CONF_HOME_LOAD_ENTITY: entity_inputs.POWER,
}
_POWERWALL_KEYS = (
    *_POWERWALL_ENTITIES,
    CONF_DISCHARGE_CAPABILITY,
    CONF_POWERWALL_UNITS,
    CONF_CHARGING_THRESHOLD,
    CONF_OUTAGE_MARGIN,
    CONF_BACKED_UP_PHASES,
)
# A split-phase site's meter may give both legs; the engine uses the worse.
_SPLIT_PHASE_LEGS = 2


def _fields(*keys: str) -> dict[str, Amount]:
    return {key: OPTION_AMOUNTS[key] for key in keys}


def _amount(key: str) -> Any:
    return number(OPTION_AMOUNTS[key])


class TeslaPowerMgmtOptionsFlow(OptionsFlow):
    """Change how the site is measured and limited; the entry reloads after."""

    _warned: frozenset[tuple[str, str]] = frozenset()

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer one page per topic."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["polling", "power_meter", "group", "powerwall", "timing"],
        )

    def _save(
        self, user_input: Mapping[str, Any], keys: tuple[str, ...]
    ) -> ConfigFlowResult:
        """Replace the page's keys; a cleared field is removed."""
        options = {k: v for k, v in self.config_entry.options.items() if k not in keys}
        options.update({k: v for k, v in user_input.items() if v not in (None, "", [])})
        return self.async_create_entry(data=options)

    def _form(
        self,
        step_id: str,
        schema: probatio.Schema,
        user_input: Mapping[str, Any] | None,
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        suggested = self.config_entry.options if user_input is None else user_input
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _entity_errors(
        self, user_input: Mapping[str, Any], kinds: Mapping[str, entity_inputs.Kind]
    ) -> dict[str, str]:
        """Refuse entities of the wrong kind; warn once about missing ones."""
        errors: dict[str, str] = {}
        missing: set[tuple[str, str]] = set()
        for key, kind in kinds.items():
            value = user_input.get(key) or []
            for entity in [value] if isinstance(value, str) else value:
                if problem := entity_inputs.problem(self.hass, entity, kind):
                    errors[key] = problem
                elif entity_inputs.missing(self.hass, [entity]):
                    missing.add((key, entity))
        if errors or missing <= self._warned:
            return errors
        self._warned = frozenset(missing)
        return {key: "entity_missing" for key, _ in missing}

    async def async_step_polling(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How often chargers are read."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, placeholders = validators.amounts(
                user_input, _fields(CONF_SCAN_INTERVAL)
            )
            if not errors:
                return self._save(cleaned, (CONF_SCAN_INTERVAL,))
        schema = probatio.Schema(
            {
                probatio.Required(
                    CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL
                ): _amount(CONF_SCAN_INTERVAL),
            }
        )
        return self._form("polling", schema, user_input, errors, placeholders)

    async def async_step_power_meter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Dynamic power management: a grid meter and the panel's limit."""
        phases = 3 if self.config_entry.data[CONF_SUPPLY] == Supply.THREE_PHASE else 1
        errors: dict[str, str] = {}
        placeholders = {"phases": str(phases)}
        if user_input is not None:
            cleaned, errors, found = validators.amounts(
                user_input, _fields(CONF_PANEL_LIMIT, CONF_SAFETY_MARGIN)
            )
            placeholders |= found
            errors = errors or _meter_errors(cleaned, phases)
            errors = errors or self._entity_errors(
                cleaned,
                {
                    CONF_GRID_POWER_ENTITY: entity_inputs.POWER,
                    CONF_PHASE_CURRENT_ENTITIES: entity_inputs.CURRENT,
                },
            )
            if not errors:
                return self._save(cleaned, _METER_KEYS)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_GRID_POWER_ENTITY): entity_inputs.picker(
                    self.hass, entity_inputs.POWER
                ),
                probatio.Optional(CONF_PHASE_CURRENT_ENTITIES): entity_inputs.picker(
                    self.hass, entity_inputs.CURRENT, multiple=True
                ),
                probatio.Optional(CONF_PANEL_LIMIT): _amount(CONF_PANEL_LIMIT),
                probatio.Required(
                    CONF_SAFETY_MARGIN, default=DEFAULT_SAFETY_MARGIN
                ): _amount(CONF_SAFETY_MARGIN),
            }
        )
        return self._form("power_meter", schema, user_input, errors, placeholders)

    async def async_step_group(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Power sharing: one network limit over all the site's chargers."""
        entry = self.config_entry
        maxima = [
            hardware_max_current(entry, subentry)
            for subentry in charger_subentries(entry).values()
        ]
        low, high = network_limit_range(maxima)
        placeholders = {"min": str(low), "max": str(high), "size": str(len(maxima))}
        errors: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, found = validators.amounts(
                user_input, _fields(CONF_NETWORK_LIMIT)
            )
            placeholders |= found
            limit = cleaned.get(CONF_NETWORK_LIMIT)
            if errors or limit is None:
                pass
            elif not maxima:
                errors[CONF_NETWORK_LIMIT] = "no_chargers"
            elif not low <= limit <= high:
                errors[CONF_NETWORK_LIMIT] = "network_limit_range"
            if not errors:
                return self._save(cleaned, (CONF_NETWORK_LIMIT,))
        schema = probatio.Schema(
            {probatio.Optional(CONF_NETWORK_LIMIT): _amount(CONF_NETWORK_LIMIT)}
        )
        return self._form("group", schema, user_input, errors, placeholders)

    async def async_step_powerwall(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Outage charging: the Powerwall's entities and how much it can give."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, placeholders = validators.amounts(
                user_input,
                _fields(
                    CONF_DISCHARGE_CAPABILITY,
                    CONF_POWERWALL_UNITS,
                    CONF_CHARGING_THRESHOLD,
                    CONF_OUTAGE_MARGIN,
                ),
            )
            required = (
                CONF_BATTERY_LEVEL_ENTITY,
                CONF_GRID_STATUS_ENTITY,
                CONF_HOME_LOAD_ENTITY,
            )
            given = [bool(user_input.get(key)) for key in required]
            if not errors and any(given) and not all(given):
                errors["base"] = "powerwall_incomplete"
            errors = errors or self._entity_errors(cleaned, _POWERWALL_ENTITIES)
            if not errors:
                return self._save(cleaned, _POWERWALL_KEYS)
        schema = probatio.Schema(
            {
                probatio.Optional(key): entity_inputs.picker(self.hass, kind)
                for key, kind in _POWERWALL_ENTITIES.items()
            }
            | {
                probatio.Required(
                    CONF_DISCHARGE_CAPABILITY, default=DEFAULT_DISCHARGE_CAPABILITY
                ): _amount(CONF_DISCHARGE_CAPABILITY),
                probatio.Required(CONF_POWERWALL_UNITS, default=1): _amount(
                    CONF_POWERWALL_UNITS
                ),
                probatio.Required(
                    CONF_CHARGING_THRESHOLD, default=DEFAULT_CHARGING_THRESHOLD
                ): _amount(CONF_CHARGING_THRESHOLD),
                probatio.Required(
                    CONF_OUTAGE_MARGIN, default=DEFAULT_OUTAGE_MARGIN
                ): _amount(CONF_OUTAGE_MARGIN),
            }
            | self._backed_up_field()
        )
        suggested = user_input
        if user_input is None:
            suggested = {**self._found_powerwall(), **self.config_entry.options}
        return self.async_show_form(
            step_id="powerwall",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _backed_up_field(self) -> dict[probatio.Marker, Any]:
        """Which phases the Powerwall keeps live; asked on three-phase sites only."""
        if self.config_entry.data[CONF_SUPPLY] != Supply.THREE_PHASE:
            return {}
        selector = SelectSelector(
            SelectSelectorConfig(
                options=list(BackedUpPhases),
                translation_key=CONF_BACKED_UP_PHASES,
                mode=SelectSelectorMode.LIST,
            )
        )
        return {
            probatio.Required(CONF_BACKED_UP_PHASES, default=BackedUpPhases.L1): (
                selector
            )
        }

    def _found_powerwall(self) -> dict[str, str]:
        """Suggest the Powerwall entities of Tesla integrations already set up."""
        found: dict[str, str] = {}
        for entity in er.async_get(self.hass).entities.values():
            if entity.platform not in POWERWALL_PLATFORMS or entity.disabled:
                continue
            device_class = entity.device_class or entity.original_device_class
            object_id = entity.entity_id.split(".", 1)[1]
            if entity.domain == "sensor" and device_class == "battery":
                found.setdefault(CONF_BATTERY_LEVEL_ENTITY, entity.entity_id)
            elif "grid_status" in object_id:
                found.setdefault(CONF_GRID_STATUS_ENTITY, entity.entity_id)
            elif device_class == "power" and "solar" in object_id:
                found.setdefault(CONF_SOLAR_POWER_ENTITY, entity.entity_id)
            elif device_class == "power" and "load" in object_id:
                found.setdefault(CONF_HOME_LOAD_ENTITY, entity.entity_id)
        return found

    async def async_step_timing(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How fast the manager reacts; defaults suit cloud vehicle APIs."""
        keys = (*_TIMING_DEFAULTS, CONF_STALE_FALLBACK)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            cleaned, errors, placeholders = validators.amounts(
                user_input, _fields(*keys)
            )
            if not errors:
                return self._save(cleaned, keys)
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(key, default=default): _amount(key)
            for key, default in _TIMING_DEFAULTS.items()
        }
        fields[probatio.Optional(CONF_STALE_FALLBACK)] = _amount(CONF_STALE_FALLBACK)
        schema = probatio.Schema(fields)
        return self._form("timing", schema, user_input, errors, placeholders)


def _meter_errors(user_input: Mapping[str, Any], phases: int) -> dict[str, str]:
    """Check the meter page as a whole (its numbers are already valid)."""
    grid = user_input.get(CONF_GRID_POWER_ENTITY)
    currents = user_input.get(CONF_PHASE_CURRENT_ENTITIES) or []
    panel = user_input.get(CONF_PANEL_LIMIT)
    allowed = (phases,) if phases == 3 else (1, _SPLIT_PHASE_LEGS)
    if grid and currents:
        return {"base": "one_meter_kind"}
    if currents and len(currents) not in allowed:
        return {
            CONF_PHASE_CURRENT_ENTITIES: "phase_count" if phases == 3 else "leg_count"
        }
    if len(set(currents)) != len(currents):
        return {CONF_PHASE_CURRENT_ENTITIES: "phases_not_distinct"}
    if (grid or currents) and panel is None:
        return {CONF_PANEL_LIMIT: "panel_limit_required"}
    if panel is not None and user_input.get(CONF_SAFETY_MARGIN, 0) >= panel:
        return {CONF_SAFETY_MARGIN: "margin_too_large"}
    return {}
