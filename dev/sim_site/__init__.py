"""Development only: a simulated Tesla site inside Home Assistant.

Serves every simulated Wall Connector's local API on 127.0.0.1 and shows the
simulated meter, Powerwall and vehicles as ordinary entities, so that
tesla_power_mgmt is configured against them exactly as in a real home. Not
part of the HACS package; ``scripts/develop`` links it into ``config/``.

configuration.yaml::

    sim_site:
      speed: 1        # simulated seconds per real second
      start: resume   # "HH:MM", "now" (wall clock) or "resume" (saved time)
      port: 18081     # first Wall Connector's port; the others follow
"""

from dataclasses import dataclass
from pathlib import Path

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio

from .const import (
    CONF_PORT,
    CONF_SITE_FILE,
    CONF_SPEED,
    CONF_START,
    DEFAULT_PORT,
    DEFAULT_SPEED,
    DOMAIN,
    MAX_SPEED,
)
from .devsite import SITE_YAML
from .runtime import SimRuntime

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = probatio.Schema(
    {
        DOMAIN: probatio.Schema(
            {
                probatio.Optional(CONF_SPEED, default=DEFAULT_SPEED): probatio.All(
                    probatio.Coerce(float), probatio.Range(min=0, max=MAX_SPEED)
                ),
                probatio.Optional(CONF_START, default="resume"): cv.string,
                # 0: each Wall Connector on a free port (tests).
                probatio.Optional(CONF_PORT, default=DEFAULT_PORT): probatio.All(
                    probatio.Coerce(int), probatio.Range(min=0, max=65535)
                ),
                probatio.Optional(CONF_SITE_FILE): cv.string,
            }
        )
    },
    extra=probatio.ALLOW_EXTRA,
)


@dataclass
class SimSettings:
    """The YAML settings, read once at start."""

    speed: float = DEFAULT_SPEED
    start: str = "resume"
    port: int = DEFAULT_PORT
    site_file: Path = SITE_YAML


type SimConfigEntry = ConfigEntry[SimRuntime]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Keep the YAML settings and create the single entry on first start."""
    conf = config.get(DOMAIN)
    if conf is None:
        hass.data[DOMAIN] = SimSettings()
        return True
    hass.data[DOMAIN] = SimSettings(
        speed=float(conf[CONF_SPEED]),
        start=str(conf[CONF_START]),
        port=int(conf[CONF_PORT]),
        site_file=Path(conf[CONF_SITE_FILE]) if CONF_SITE_FILE in conf else SITE_YAML,
    )
    if not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data={}
            )
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SimConfigEntry) -> bool:
    """Start the simulated site and add its entities."""
    settings: SimSettings = hass.data.get(DOMAIN) or SimSettings()
    runtime = SimRuntime(
        hass,
        speed=settings.speed,
        start=settings.start,
        port=settings.port,
        site_file=settings.site_file,
    )
    await runtime.async_start()
    entry.runtime_data = runtime

    async def _stop(_event: Event) -> None:
        await runtime.async_stop()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SimConfigEntry) -> bool:
    """Stop the site and remove its entities."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    await entry.runtime_data.async_stop()
    return unloaded
