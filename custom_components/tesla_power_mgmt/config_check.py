"""A saved configuration the engine cannot use is replaced, never loaded as is.

At setup the entry is checked with the validators the forms use. An unusable
part (``nan``, out of range, a missing key: an old version or a hand edit)
is replaced by the last good one, kept in storage; without one it is made
safe and the site only monitors. A repair names what was refused and stays
until the user confirms it (``repairs.async_create_fix_flow``). Groups are
only checked (``group_problems``): deleting one cannot be refused, and what
the engine does with a stale reference is already safe, but the user is told.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from . import validators
from .const import (
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_CURRENT_ENTITY,
    CONF_GRID_POWER_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_GROUP,
    CONF_HOME_LOAD_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_PARENT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PHASES,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    CONF_SOLAR_POWER_ENTITY,
    CONF_SUPPLY,
    CONF_SWITCH_ENTITY,
    CONF_VOLTAGE,
    CONF_WIRED_PHASE,
    DEFAULT_PORT,
    DEFAULT_VOLTAGE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
    Supply,
    WiredPhase,
)
from .engine import Region
from .settings import charger_subentries, group_subentries
from .site_options import in_a_loop

STORAGE_VERSION = 1
ISSUE_ID = "invalid_config"
# RFC 6761: a .invalid name never resolves, so the unit is unreachable (reserved).
UNUSABLE_HOST = "unusable-host.invalid"
_ENTITY_OPTIONS = (
    CONF_GRID_POWER_ENTITY,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_SOLAR_POWER_ENTITY,
    CONF_HOME_LOAD_ENTITY,
)
_CHARGER_ENTITIES = (CONF_CURRENT_ENTITY, CONF_SWITCH_ENTITY)

type Snapshot = dict[str, Any]  # {"data", "options", "chargers": {id: data}}
type Problems = dict[str, Any]  # key: the refused value
type Notices = dict[str, tuple[str, dict[str, str]]]  # id: (translation key, text)


def _is_entity(value: Any) -> bool:
    return isinstance(value, str) and "." in value


def _refused(value: Any, check: Any) -> bool:
    try:
        check(value)
    except validators.InvalidValueError:
        return True
    return False


def _region(data: Mapping[str, Any]) -> Region:
    """Return the site's region; an unusable one counts as NEC (80 %: stricter)."""
    value = data.get(CONF_REGION)
    return Region(value) if value in list(Region) else Region.NEC


def data_problems(data: Mapping[str, Any]) -> Problems:
    """Return the unusable keys of the site's data."""
    problems: Problems = {}
    if data.get(CONF_REGION) not in list(Region):
        problems[CONF_REGION] = data.get(CONF_REGION)
    if data.get(CONF_SUPPLY) not in list(Supply):
        problems[CONF_SUPPLY] = data.get(CONF_SUPPLY)
    if _refused(data.get(CONF_VOLTAGE), validators.VOLTAGE.check):
        problems[CONF_VOLTAGE] = data.get(CONF_VOLTAGE)
    return problems


def option_problems(options: Mapping[str, Any], three_phase: bool) -> Problems:
    """Return the unusable keys of the site's options."""
    problems: Problems = {
        key: options[key]
        for key, amount in validators.OPTION_AMOUNTS.items()
        if key in options and _refused(options[key], amount.check)
    }
    problems.update(
        {
            key: options[key]
            for key in _ENTITY_OPTIONS
            if key in options and not _is_entity(options[key])
        }
    )
    currents = options.get(CONF_PHASE_CURRENT_ENTITIES)
    if currents is not None and (
        not isinstance(currents, list)
        or not all(_is_entity(entity) for entity in currents)
        or len(set(currents)) != len(currents)
        or len(currents) not in ((3,) if three_phase else (1, 2))
    ):
        problems[CONF_PHASE_CURRENT_ENTITIES] = currents
    panel, margin = options.get(CONF_PANEL_LIMIT), options.get(CONF_SAFETY_MARGIN)
    if not problems.keys() & {CONF_PANEL_LIMIT, CONF_SAFETY_MARGIN} and (
        panel is not None and margin is not None and margin >= panel
    ):
        problems[CONF_SAFETY_MARGIN] = margin
    return problems


def charger_problems(data: Mapping[str, Any], site: Mapping[str, Any]) -> Problems:
    """Return the unusable keys of one charger's data."""
    problems: Problems = {}
    if _refused(data.get(CONF_HOST), validators.host):
        problems[CONF_HOST] = data.get(CONF_HOST)
    if _refused(data.get(CONF_PORT, DEFAULT_PORT), validators.PORT.check):
        problems[CONF_PORT] = data.get(CONF_PORT)
    region = _region(site)
    if _refused(data.get(CONF_BREAKER), lambda v: validators.breaker(v, region)):
        problems[CONF_BREAKER] = data.get(CONF_BREAKER)
    allowed = (1, 3) if site.get(CONF_SUPPLY) == Supply.THREE_PHASE else (1,)
    phases = data.get(CONF_PHASES, 1)
    if isinstance(phases, bool) or phases not in allowed:
        problems[CONF_PHASES] = phases
    if CONF_WIRED_PHASE in data and data[CONF_WIRED_PHASE] not in list(WiredPhase):
        problems[CONF_WIRED_PHASE] = data[CONF_WIRED_PHASE]
    problems.update(
        {
            key: data[key]
            for key in _CHARGER_ENTITIES
            if key in data and not _is_entity(data[key])
        }
    )
    return problems


def group_problems(entry: ConfigEntry) -> Notices:
    """Return what is wrong with the groups: each as a repair to raise.

    A deleted parent or group detaches (the panel is above); a limit that is
    not a whole number from 6 A, or a loop of parents, leaves 0 A behind it.
    """
    groups = group_subentries(entry)
    parents = {gid: g.data.get(CONF_PARENT) for gid, g in groups.items()}
    found: Notices = {}
    for group_id, group in groups.items():
        name = {"site": entry.title, "group": group.title}
        parent = parents[group_id]
        limit = group.data.get(CONF_NETWORK_LIMIT)
        if parent is not None and parent not in groups:
            found[f"group_parent_{group_id}"] = ("group_parent_missing", name)
        if _refused(limit, validators.NETWORK_LIMIT.check):
            found[f"group_limit_{group_id}"] = (
                "group_limit_invalid",
                {**name, "limit": repr(limit)},
            )
        known = {g: p if p in groups else None for g, p in parents.items()}
        if in_a_loop(group_id, known):
            found[f"group_loop_{group_id}"] = ("group_loop", name)
    for charger_id, charger in charger_subentries(entry).items():
        inner = charger.data.get(CONF_GROUP)
        if inner is not None and inner not in groups:
            found[f"charger_group_{charger_id}"] = (
                "charger_group_missing",
                {"site": entry.title, "name": charger.title},
            )
    return found


def snapshot(entry: ConfigEntry) -> Snapshot:
    """Return what the entry configures, as plain data for storage."""
    return {
        "data": dict(entry.data),
        "options": dict(entry.options),
        "chargers": {
            subentry_id: dict(subentry.data)
            for subentry_id, subentry in entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_TYPE_CHARGER
        },
    }


def problems_of(config: Snapshot) -> Problems:
    """Return every unusable value of a configuration, by where it is."""
    data = config["data"]
    found: Problems = {f"site.{k}": v for k, v in data_problems(data).items()}
    three_phase = data.get(CONF_SUPPLY) == Supply.THREE_PHASE
    found.update(
        {
            f"options.{k}": v
            for k, v in option_problems(config["options"], three_phase).items()
        }
    )
    for charger_id, charger in config["chargers"].items():
        found.update(
            {f"{charger_id}.{k}": v for k, v in charger_problems(charger, data).items()}
        )
    return found


def _safe_data(data: Mapping[str, Any], chargers: Snapshot) -> dict[str, Any]:
    bad = data_problems(data)
    safe = dict(data)
    region = _region(data)
    safe[CONF_REGION] = region
    if CONF_SUPPLY in bad:
        three = any(c.get(CONF_PHASES) == 3 for c in chargers.values())
        safe[CONF_SUPPLY] = Supply.THREE_PHASE if three else Supply.SINGLE_PHASE
    if CONF_VOLTAGE in bad:
        safe[CONF_VOLTAGE] = DEFAULT_VOLTAGE[region]
    return safe


def _safe_charger(data: Mapping[str, Any], site: Mapping[str, Any]) -> dict[str, Any]:
    """Make a charger usable; its values then only shape what is shown."""
    bad = charger_problems(data, site)
    safe = {key: value for key, value in data.items() if key not in bad}
    if CONF_HOST in bad:
        safe[CONF_HOST] = UNUSABLE_HOST
    # The smallest breaker still giving 6 A: the least this charger is allowed.
    safe.setdefault(CONF_BREAKER, validators.smallest_breaker(_region(site)))
    if CONF_PHASES in bad:  # counted on every phase: the worst case
        safe[CONF_PHASES] = 3 if site[CONF_SUPPLY] == Supply.THREE_PHASE else 1
    return safe


def repaired(current: Snapshot, last_good: Snapshot | None) -> tuple[Snapshot, bool]:
    """Return a usable configuration and whether the site must only monitor.

    Each unusable part (site data, options, one charger) is taken from the
    last good configuration; a part without a good earlier version is made
    safe, and then nothing may be commanded.
    """
    good = last_good if last_good and not problems_of(last_good) else None
    monitor_only = False
    data = current["data"]
    if data_problems(data):
        if good is not None:
            data = good["data"]
        else:
            data, monitor_only = _safe_data(data, current["chargers"]), True
    options = current["options"]
    three_phase = data[CONF_SUPPLY] == Supply.THREE_PHASE
    if bad := option_problems(options, three_phase):
        if good is not None and not option_problems(good["options"], three_phase):
            options = good["options"]
        else:
            options = {k: v for k, v in options.items() if k not in bad}
            monitor_only = True
    chargers = dict(current["chargers"])
    for charger_id, charger in current["chargers"].items():
        if not charger_problems(charger, data):
            continue
        earlier = (good or {}).get("chargers", {}).get(charger_id)
        if earlier is not None and not charger_problems(earlier, data):
            chargers[charger_id] = earlier
        else:
            chargers[charger_id], monitor_only = _safe_charger(charger, data), True
    return {"data": data, "options": options, "chargers": chargers}, monitor_only


def _store(hass: HomeAssistant, entry: ConfigEntry) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.last_good")


def _raise(
    hass: HomeAssistant,
    entry: ConfigEntry,
    problems: Mapping[str, str],
    monitor_only: bool,
) -> None:
    listed = "; ".join(f"{key} = {value}" for key, value in problems.items())
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{entry.entry_id}_{ISSUE_ID}",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=f"{ISSUE_ID}_{'monitor' if monitor_only else 'restored'}",
        translation_placeholders={"site": entry.title, "problems": listed},
        data={"entry_id": entry.entry_id},
    )


def _write(hass: HomeAssistant, entry: ConfigEntry, config: Snapshot) -> None:
    hass.config_entries.async_update_entry(
        entry, data=config["data"], options=config["options"]
    )
    for charger_id, data in config["chargers"].items():
        subentry = entry.subentries[charger_id]
        if dict(subentry.data) != data:
            hass.config_entries.async_update_subentry(entry, subentry, data=data)


async def async_usable_config(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Make the entry usable before setup; return whether to only monitor."""
    store = _store(hass, entry)
    saved = await store.async_load() or {}
    current = snapshot(entry)
    if problems := problems_of(current):
        config, monitor_only = repaired(current, saved.get("last_good"))
        _write(hass, entry, config)
        text = problems_as_text(problems)
        saved |= {"restored": text, "monitor_only": monitor_only}
        await store.async_save(saved)
        _raise(hass, entry, text, monitor_only)
        return monitor_only
    monitor_only = bool(saved.get("monitor_only"))
    if (restored := saved.get("restored")) is not None:
        # Still waiting for the user to confirm the repair.
        _raise(hass, entry, restored, monitor_only)
    if not monitor_only:
        saved["last_good"] = current
    await store.async_save(saved)
    return monitor_only


def problems_as_text(problems: Problems) -> dict[str, str]:
    """Return the refused values as text (``nan`` is not JSON)."""
    return {key: repr(value) for key, value in problems.items()}


async def async_confirm(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the refused configuration: the user has checked the options."""
    store = _store(hass, entry)
    saved = await store.async_load() or {}
    saved.pop("restored", None)
    saved["monitor_only"] = False
    current = snapshot(entry)
    if not problems_of(current):
        saved["last_good"] = current
    await store.async_save(saved)
