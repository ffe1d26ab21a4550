"""What setup refuses to command, and the inputs still wrong once HA runs.

A unit configured on two sites (a restored backup), a control entity that
serves another charger, or an entity of this integration as a control: that
charger is only monitored, and a repair says why. The oldest site and the
first charger keep the claim. Once Home Assistant has started, a configured
entity without a state, a car that cannot be paused and a network limit the
charger count has put out of range raise repairs too, as do groups left
with a deleted parent, a charger whose group was deleted, and a group limit
that cannot be used (``config_check.group_problems``).
"""

from collections.abc import Iterator
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started

from . import entity_inputs
from .config_check import group_problems
from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_HOME_LOAD_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_SOLAR_POWER_ENTITY,
    CONF_SWITCH_ENTITY,
    DOMAIN,
)
from .engine import network_limit_range
from .repairs import RepairTracker, Wanted
from .settings import SiteSettings, charger_subentries, hardware_max_current

_SOURCE_OPTIONS = (
    CONF_GRID_POWER_ENTITY,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_SOLAR_POWER_ENTITY,
    CONF_HOME_LOAD_ENTITY,
)


def _chargers_in_order(
    hass: HomeAssistant,
) -> Iterator[tuple[ConfigEntry, str, ConfigSubentry]]:
    """Yield every site's chargers, oldest site first."""
    entries = sorted(
        hass.config_entries.async_entries(DOMAIN),
        key=lambda entry: (entry.created_at, entry.entry_id),
    )
    for entry in entries:
        for subentry_id, subentry in charger_subentries(entry).items():
            yield entry, subentry_id, subentry


def refusals(hass: HomeAssistant, entry: ConfigEntry) -> Wanted:
    """Return, per charger of ``entry`` that may not be commanded, its repair."""
    units: dict[str, ConfigEntry] = {}
    controls: dict[str, ConfigSubentry] = {}
    registry = er.async_get(hass)
    refused: Wanted = {}
    for owner, subentry_id, subentry in _chargers_in_order(hass):
        name = {"name": subentry.title, "site": owner.title}
        serial = subentry.unique_id
        if serial is not None and serial in units:
            if owner is entry:
                refused[subentry_id] = (
                    "unit_on_two_sites",
                    {**name, "serial": serial, "other": units[serial].title},
                )
            continue
        if serial is not None:
            units[serial] = owner
        for key in (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY):
            if not (control := subentry.data.get(key)):
                continue
            own = registry.async_get(control)
            if own is not None and own.platform == DOMAIN:
                reason = ("control_own_entity", {**name, "entity": control})
            elif control in controls:
                reason = (
                    "control_shared",
                    {**name, "entity": control, "other": controls[control].title},
                )
            else:
                controls[control] = subentry
                continue
            if owner is entry:
                refused.setdefault(subentry_id, reason)
    return refused


class SetupChecks:
    """Applies the refusals to a site's settings and keeps its repairs current."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, settings: SiteSettings
    ) -> None:
        """Refuse what may not be commanded, before anything is."""
        self.hass = hass
        self.entry = entry
        self.refused = refusals(hass, entry)
        for subentry_id, (key, _) in self.refused.items():
            settings.chargers[subentry_id].refused = key
        self.repairs = RepairTracker(hass, f"{entry.entry_id}_setup")
        self._started = False

    @callback
    def async_start(self) -> None:
        """Check now, once Home Assistant has started and on every change."""
        entry = self.entry
        entry.async_on_unload(self.repairs.clear)
        if watched := self._watched():
            entry.async_on_unload(
                async_track_state_change_event(self.hass, watched, self._on_change)
            )
        entry.async_on_unload(async_at_started(self.hass, self._on_started))
        self.repairs.update(self.wanted())

    def _sources(self) -> list[str]:
        options = self.entry.options
        entities = [options[key] for key in _SOURCE_OPTIONS if options.get(key)]
        return entities + list(options.get(CONF_PHASE_CURRENT_ENTITIES) or [])

    def _watched(self) -> list[str]:
        controls = [
            subentry.data[CONF_CURRENT_ENTITY]
            for subentry in charger_subentries(self.entry).values()
            if subentry.data.get(CONF_CURRENT_ENTITY)
        ]
        return self._sources() + controls

    async def _on_started(self, _hass: HomeAssistant) -> None:
        self._started = True
        self.repairs.update(self.wanted())

    @callback
    def _on_change(self, _event: Event[Any]) -> None:
        self.repairs.update(self.wanted())

    def wanted(self) -> Wanted:
        """Return the repairs of the refusals and of what is wrong now."""
        wanted: Wanted = {f"refused_{k}": v for k, v in self.refused.items()}
        wanted |= group_problems(self.entry)
        site = {"site": self.entry.title}
        chargers = charger_subentries(self.entry)
        limit = self.entry.options.get(CONF_NETWORK_LIMIT)
        maxima = [hardware_max_current(self.entry, s) for s in chargers.values()]
        low, high = network_limit_range(maxima)
        if limit is not None and maxima and not low <= limit <= high:
            wanted["network_limit_range"] = (
                "network_limit_range",
                {
                    **site,
                    "limit": str(limit),
                    "size": str(len(maxima)),
                    "low": str(low),
                    "high": str(high),
                },
            )
        if not self._started:
            return wanted
        for entity in entity_inputs.missing(self.hass, self._sources()):
            wanted[f"missing_{entity}"] = ("entity_missing", {**site, "entity": entity})
        for subentry_id, subentry in chargers.items():
            if subentry_id in self.refused:
                continue
            if entity_inputs.cannot_pause(self.hass, subentry.data):
                entity = subentry.data[CONF_CURRENT_ENTITY]
                state = self.hass.states.get(entity)
                minimum = float(state.attributes["min"]) if state else 0.0
                wanted[f"cannot_pause_{subentry_id}"] = (
                    "cannot_pause",
                    {
                        "name": subentry.title,
                        "entity": entity,
                        "minimum": f"{minimum:g}",
                    },
                )
        return wanted
