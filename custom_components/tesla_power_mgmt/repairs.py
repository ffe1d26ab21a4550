"""Repairs a site raises for what only the user can fix, and clears once fixed."""

from typing import Any

from homeassistant.components.repairs import (
    ConfirmRepairFlow,
    RepairsFlow,
    RepairsFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .config_check import async_confirm
from .const import DOMAIN

type Wanted = dict[
    str, tuple[str, dict[str, str]]
]  # id: (translation key, placeholders)


class RepairTracker:
    """Keeps the site's open repairs equal to the ones wanted now."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Track the repairs of one site entry (or of one concern of it)."""
        self.hass = hass
        self._prefix = f"{entry_id}_"
        self._open: set[str] = set()

    def update(self, wanted: Wanted) -> None:
        """Create the repairs newly wanted and delete the ones no longer."""
        for issue_id in self._open - wanted.keys():
            ir.async_delete_issue(self.hass, DOMAIN, self._prefix + issue_id)
        for issue_id in wanted.keys() - self._open:
            key, placeholders = wanted[issue_id]
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self._prefix + issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=key,
                translation_placeholders=placeholders,
            )
        self._open = set(wanted)

    def clear(self) -> None:
        """Delete every open repair (the site is unloaded)."""
        self.update({})


class ConfigRestoredFlow(ConfirmRepairFlow):
    """The user has read what was refused: manage the site again, reloaded."""

    def __init__(self, entry_id: str) -> None:
        """Confirm for one site entry."""
        self.entry_id = entry_id

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Forget the refused configuration once confirmed, then reload."""
        if user_input is not None and (
            entry := self.hass.config_entries.async_get_entry(self.entry_id)
        ):
            await async_confirm(self.hass, entry)
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return await super().async_step_confirm(user_input)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Return the flow that fixes a repair (only a restored configuration has one)."""
    return ConfigRestoredFlow(str((data or {})["entry_id"]))
