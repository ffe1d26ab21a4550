"""A power-sharing group's form and its check, for the group subentry flow.

A group's limit must give 6 A to every charger behind it (nested groups
included) and at most the sum of their maximums; a child's limit above its
parent's is refused (it could never be used); a parent that would make a
cycle is refused. A group without chargers yet takes any limit in range.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from . import validators
from .const import CONF_GROUP, CONF_NETWORK_LIMIT, CONF_PARENT
from .engine import network_limit_range
from .selectors import number
from .settings import charger_subentries, group_subentries, hardware_max_current

type Checked = tuple[dict[str, str], dict[str, str], dict[str, Any]]


def _ancestors(groups: Mapping[str, str | None], group_id: str) -> list[str]:
    """Return the groups above ``group_id``, innermost first (stops at a cycle)."""
    found: list[str] = []
    current = groups.get(group_id)
    while current is not None and current not in found and current in groups:
        found.append(current)
        current = groups.get(current)
    return found


def schema(site: ConfigEntry, group_id: str | None) -> probatio.Schema:
    """Return the form: name, limit, and a parent among the other groups."""
    parents = {
        gid: g.data.get(CONF_PARENT) for gid, g in group_subentries(site).items()
    }
    options = [
        SelectOptionDict(value=gid, label=g.title)
        for gid, g in group_subentries(site).items()
        if gid != group_id and group_id not in _ancestors(parents, gid)
    ]
    fields: dict[probatio.Marker, Any] = {
        probatio.Required(CONF_NAME): TextSelector(),
        probatio.Required(CONF_NETWORK_LIMIT): number(validators.NETWORK_LIMIT),
    }
    if options:
        fields[probatio.Optional(CONF_PARENT)] = SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
    return probatio.Schema(fields)


def check(
    site: ConfigEntry, user_input: Mapping[str, Any], group_id: str | None
) -> Checked:
    """Check a group's input: errors, placeholders, the subentry data."""
    cleaned, errors, placeholders = validators.amounts(
        user_input, {CONF_NETWORK_LIMIT: validators.NETWORK_LIMIT}
    )
    if not str(user_input.get(CONF_NAME) or "").strip():
        errors[CONF_NAME] = "name_required"
    if errors:
        return errors, placeholders, {}
    data: dict[str, Any] = {CONF_NETWORK_LIMIT: cleaned[CONF_NETWORK_LIMIT]}
    groups = {gid: dict(g.data) for gid, g in group_subentries(site).items()}
    if parent := user_input.get(CONF_PARENT):
        data[CONF_PARENT] = parent
    key = group_id or "new"
    groups[key] = data
    parents = {gid: g.get(CONF_PARENT) for gid, g in groups.items()}
    if parent and (
        parent not in groups or key in [parent, *_ancestors(parents, parent)]
    ):
        return {CONF_PARENT: "group_cycle"}, {}, {}
    return (*_limit_errors(site, groups, key), data)


def _limit_errors(
    site: ConfigEntry, groups: Mapping[str, Mapping[str, Any]], key: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Refuse a limit out of range for its chargers or above its parent's."""
    limit = groups[key][CONF_NETWORK_LIMIT]
    parents = {gid: g.get(CONF_PARENT) for gid, g in groups.items()}
    for other, above in (
        (key, parents[key]),
        *((c, key) for c, p in parents.items() if p == key),
    ):
        if (
            above is not None
            and groups[other][CONF_NETWORK_LIMIT] > groups[above][CONF_NETWORK_LIMIT]
        ):
            return {CONF_NETWORK_LIMIT: "group_above_parent"}, {
                "parent": str(groups[above][CONF_NETWORK_LIMIT])
            }
    maxima = [
        hardware_max_current(site, subentry)
        for subentry in charger_subentries(site).values()
        if (inner := subentry.data.get(CONF_GROUP)) is not None
        and key in [inner, *_ancestors(parents, inner)]
    ]
    low, high = network_limit_range(maxima)
    if maxima and not low <= limit <= high:
        return {CONF_NETWORK_LIMIT: "group_limit_range"}, {
            "low": str(low),
            "high": str(high),
            "size": str(len(maxima)),
        }
    return {}, {}


def picker(site: ConfigEntry) -> dict[probatio.Marker, Any]:
    """Return the charger form's group field, if the site has groups."""
    options = [
        SelectOptionDict(value=gid, label=g.title)
        for gid, g in group_subentries(site).items()
    ]
    if not options:
        return {}
    return {
        probatio.Optional(CONF_GROUP): SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
    }


def charger_error(
    site: ConfigEntry, max_a: int, group: str | None, subentry_id: str | None
) -> dict[str, str] | None:
    """Return the first group this charger (in ``group``) puts out of range."""
    groups = group_subentries(site)
    parents = {gid: g.data.get(CONF_PARENT) for gid, g in groups.items()}
    members: dict[str, list[int]] = {gid: [] for gid in groups}
    chargers = [
        (subentry.data.get(CONF_GROUP), hardware_max_current(site, subentry))
        for other_id, subentry in charger_subentries(site).items()
        if other_id != subentry_id
    ]
    for inner, maximum in [*chargers, (group, max_a)]:
        if inner in groups:
            for gid in [inner, *_ancestors(parents, inner)]:
                members[gid].append(maximum)
    for gid, maxima in members.items():
        limit = groups[gid].data[CONF_NETWORK_LIMIT]
        low, high = network_limit_range(maxima)
        if maxima and not low <= limit <= high:
            return {
                "group": groups[gid].title,
                "limit": str(limit),
                "low": str(low),
                "high": str(high),
            }
    return None
