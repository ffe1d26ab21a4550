"""The diagnostics download hides addresses, serial numbers and Wi-Fi names."""

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .common import SERIAL, FakeWallConnector


async def test_diagnostics_are_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    site: MockConfigEntry,
    wall_connector: FakeWallConnector,
) -> None:
    site.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, site)
    text = json.dumps(diagnostics)
    for secret in (
        SERIAL,
        "127.0.0.1",
        "dWx0cmFfaW90",
        "98:ED:5C:B2:75:8A",
        "10.69.2.236",
    ):
        assert secret not in text
    (charger,) = diagnostics["chargers"]
    assert charger["title"] == "Garage"
    assert charger["online"] is True
    assert charger["identity"]["part_number"] == "1457768-02-G"
    assert charger["payloads"]["vitals"]["vehicle_current_a"] == 40.4
    assert charger["payloads"]["wifi_status"]["wifi_ssid"] == "**REDACTED**"
    assert diagnostics["site"]["data"]["region"] == "nec"
    # The engine's last inputs and decision, for "why did my car get 12 A?".
    engine = diagnostics["engine"]
    (decision,) = engine["decision"]["chargers"].values()
    # Monitor-only (no control entity): the allocation is shown, not written.
    assert (decision["pilot_a"], decision["reason"]) == (40, "power_level")
    (reading,) = engine["readings"]["chargers"]
    assert reading["current_a"] == [40.4]
    assert engine["config"]["chargers"][0]["max_current_a"] == 40
    assert diagnostics["settings"]["management_enabled"] is True
