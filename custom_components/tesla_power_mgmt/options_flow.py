"""Site options: polling, power meter, group, Powerwall and timing, one page each."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import EntitySelector, EntitySelectorConfig
import probatio

from .const import (
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
    DEFAULT_SAFETY_MARGIN,
    DEFAULT_SCAN_INTERVAL,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    Supply,
)
from .engine import Timing, network_limit_range
from .selectors import number
from .settings import charger_subentries, hardware_max_current

POWERWALL_PLATFORMS = ("powerwall", "teslemetry", "tesla_fleet", "tessie")
_DEFAULT_TIMING = Timing()
_TIMING_FIELDS: dict[str, tuple[float, int, int, str]] = {
    # option: (engine default, min, max, unit)
    CONF_METER_STALE: (_DEFAULT_TIMING.meter_stale_s, 5, 300, "s"),
    CONF_INCREASE_INTERVAL: (_DEFAULT_TIMING.increase_interval_s, 10, 600, "s"),
    CONF_INCREASE_DEADBAND: (_DEFAULT_TIMING.increase_deadband_a, 1, 10, "A"),
    CONF_RESUME_DELAY: (_DEFAULT_TIMING.resume_delay_s, 0, 1800, "s"),
    CONF_ROTATION_INTERVAL: (_DEFAULT_TIMING.rotation_interval_s, 60, 7200, "s"),
    CONF_NOT_DRAWING_AFTER: (_DEFAULT_TIMING.not_drawing_after_s, 60, 3600, "s"),
}
_METER_KEYS = (
    CONF_GRID_POWER_ENTITY,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PANEL_LIMIT,
    CONF_SAFETY_MARGIN,
)
_POWERWALL_KEYS = (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_SOLAR_POWER_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_DISCHARGE_CAPABILITY,
    CONF_POWERWALL_UNITS,
    CONF_CHARGING_THRESHOLD,
)


def _sensor(device_class: str, *, multiple: bool = False) -> EntitySelector:
    return EntitySelector(
        EntitySelectorConfig(
            filter={"domain": "sensor", "device_class": device_class},
            multiple=multiple,
        )
    )


class TeslaPowerMgmtOptionsFlow(OptionsFlow):
    """Change how the site is measured and limited; the entry reloads after."""

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

    async def async_step_polling(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How often chargers are read."""
        if user_input is not None:
            return self._save(user_input, (CONF_SCAN_INTERVAL,))
        schema = probatio.Schema(
            {
                probatio.Required(
                    CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL
                ): number(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, "s"),
            }
        )
        return self._form("polling", schema, user_input)

    async def async_step_power_meter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Dynamic power management: a grid meter and the panel's limit."""
        phases = 3 if self.config_entry.data[CONF_SUPPLY] == Supply.THREE_PHASE else 1
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _meter_errors(user_input, phases)
            if not errors:
                return self._save(user_input, _METER_KEYS)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_GRID_POWER_ENTITY): _sensor("power"),
                probatio.Optional(CONF_PHASE_CURRENT_ENTITIES): _sensor(
                    "current", multiple=True
                ),
                probatio.Optional(CONF_PANEL_LIMIT): number(10, 1000, "A"),
                probatio.Required(
                    CONF_SAFETY_MARGIN, default=DEFAULT_SAFETY_MARGIN
                ): number(0, 50, "A"),
            }
        )
        return self._form(
            "power_meter", schema, user_input, errors, {"phases": str(phases)}
        )

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
            limit = user_input.get(CONF_NETWORK_LIMIT)
            if limit is not None and not maxima:
                errors[CONF_NETWORK_LIMIT] = "no_chargers"
            elif limit is not None and not low <= limit <= high:
                errors[CONF_NETWORK_LIMIT] = "network_limit_range"
            else:
                return self._save(user_input, (CONF_NETWORK_LIMIT,))
        schema = probatio.Schema(
            {probatio.Optional(CONF_NETWORK_LIMIT): number(6, 2000, "A")}
        )
        return self._form("group", schema, user_input, errors, placeholders)

    async def async_step_powerwall(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Outage charging: the Powerwall's entities and how much it can give."""
        errors: dict[str, str] = {}
        if user_input is not None:
            required = (
                CONF_BATTERY_LEVEL_ENTITY,
                CONF_GRID_STATUS_ENTITY,
                CONF_HOME_LOAD_ENTITY,
            )
            given = [bool(user_input.get(key)) for key in required]
            if any(given) and not all(given):
                errors["base"] = "powerwall_incomplete"
            else:
                return self._save(user_input, _POWERWALL_KEYS)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_BATTERY_LEVEL_ENTITY): _sensor("battery"),
                probatio.Optional(CONF_GRID_STATUS_ENTITY): EntitySelector(
                    EntitySelectorConfig(domain=["binary_sensor", "sensor"])
                ),
                probatio.Optional(CONF_SOLAR_POWER_ENTITY): _sensor("power"),
                probatio.Optional(CONF_HOME_LOAD_ENTITY): _sensor("power"),
                probatio.Required(
                    CONF_DISCHARGE_CAPABILITY, default=DEFAULT_DISCHARGE_CAPABILITY
                ): number(1, 30, "kW", step=0.1),
                probatio.Required(CONF_POWERWALL_UNITS, default=1): number(1, 10),
                probatio.Required(
                    CONF_CHARGING_THRESHOLD, default=DEFAULT_CHARGING_THRESHOLD
                ): number(0, 100, "%"),
            }
        )
        suggested = user_input
        if user_input is None:
            suggested = {**self._found_powerwall(), **self.config_entry.options}
        return self.async_show_form(
            step_id="powerwall",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
        )

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
        if user_input is not None:
            return self._save(user_input, (*_TIMING_FIELDS, CONF_STALE_FALLBACK))
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(key, default=default): number(low, high, unit)
            for key, (default, low, high, unit) in _TIMING_FIELDS.items()
        }
        fields[probatio.Optional(CONF_STALE_FALLBACK)] = number(0, 80, "A")
        schema = probatio.Schema(fields)
        return self._form("timing", schema, user_input)


def _meter_errors(user_input: Mapping[str, Any], phases: int) -> dict[str, str]:
    grid = user_input.get(CONF_GRID_POWER_ENTITY)
    currents = user_input.get(CONF_PHASE_CURRENT_ENTITIES) or []
    panel = user_input.get(CONF_PANEL_LIMIT)
    if grid and currents:
        return {"base": "one_meter_kind"}
    if currents and len(currents) != phases:
        return {CONF_PHASE_CURRENT_ENTITIES: "phase_count"}
    if (grid or currents) and panel is None:
        return {CONF_PANEL_LIMIT: "panel_limit_required"}
    if panel is not None and user_input[CONF_SAFETY_MARGIN] >= panel:
        return {CONF_SAFETY_MARGIN: "margin_too_large"}
    return {}
