"""What a loaded site entry holds at runtime."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import WallConnectorCoordinator
from .manager import PowerManager


@dataclass(slots=True)
class TeslaPowerMgmtData:
    """The chargers' pollers (by subentry id) and the site's manager."""

    chargers: dict[str, WallConnectorCoordinator]
    manager: PowerManager


type TeslaPowerMgmtConfigEntry = ConfigEntry[TeslaPowerMgmtData]
