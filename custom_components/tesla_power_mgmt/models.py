"""What a loaded site entry holds at runtime."""

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .coordinator import WallConnectorCoordinator
from .manager import PowerManager


@dataclass(slots=True)
class TeslaPowerMgmtData:
    """The chargers' pollers (by subentry id), the site's manager, its entities."""

    chargers: dict[str, WallConnectorCoordinator]
    manager: PowerManager
    # The unique ids of the entities this setup offers (enabled or not).
    unique_ids: set[str] = field(default_factory=set)


type TeslaPowerMgmtConfigEntry = ConfigEntry[TeslaPowerMgmtData]
