"""Repairs a site raises for what only the user can fix, and clears once fixed."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

type Wanted = dict[
    str, tuple[str, dict[str, str]]
]  # id: (translation key, placeholders)


class RepairTracker:
    """Keeps the site's open repairs equal to the ones wanted now."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Track the repairs of one site entry."""
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
