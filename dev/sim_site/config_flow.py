"""One entry for the simulated site, created from configuration.yaml."""

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import DOMAIN


class SimSiteConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create the single simulated-site entry."""

    VERSION = 1

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry when configuration.yaml has ``sim_site:``."""
        return self.async_create_entry(title="Simulated site", data={})

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add the simulated site from the UI (settings come from YAML)."""
        if user_input is not None:
            return self.async_create_entry(title="Simulated site", data={})
        return self.async_show_form(step_id="user")
