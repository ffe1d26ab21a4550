"""Constants for the Tesla power management integration."""

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "tesla_power_mgmt"
LOGGER = logging.getLogger(__package__)

SUBENTRY_TYPE_CHARGER: Final = "charger"

# Site entry
CONF_REGION: Final = "region"
CONF_SUPPLY: Final = "supply"
CONF_VOLTAGE: Final = "voltage"

# Options
CONF_SCAN_INTERVAL: Final = "scan_interval"
DEFAULT_SCAN_INTERVAL: Final = 5
MIN_SCAN_INTERVAL: Final = 2
MAX_SCAN_INTERVAL: Final = 60

# Charger subentry
CONF_BREAKER: Final = "breaker"
CONF_PHASES: Final = "phases"
CONF_WIRED_PHASE: Final = "wired_phase"
CONF_CURRENT_ENTITY: Final = "charge_current_entity"
CONF_SWITCH_ENTITY: Final = "charge_switch_entity"
DEFAULT_PORT: Final = 80

# Slow-changing endpoints are read less often than vitals.
LIFETIME_INTERVAL: Final = timedelta(minutes=1)
WIFI_INTERVAL: Final = timedelta(minutes=5)


class Region(StrEnum):
    """Electrical code that sets the continuous-load rule for breakers."""

    NEC = "nec"  # North America: continuous load <= 80 % of the breaker
    IEC = "iec"  # Europe and most of the world: 100 % of the breaker


class Supply(StrEnum):
    """How the site is fed."""

    SINGLE_PHASE = "single_phase"  # single or split phase (US 120/240 V)
    THREE_PHASE = "three_phase"


class WiredPhase(StrEnum):
    """Phase a single-phase charger is wired to on a three-phase site."""

    L1 = "l1"
    L2 = "l2"
    L3 = "l3"


DEFAULT_VOLTAGE: Final = {Region.NEC: 240, Region.IEC: 230}
# Gen 3 nameplate current per region: 48 A in North America, 32 A elsewhere.
NAMEPLATE_CURRENT: Final = {Region.NEC: 48, Region.IEC: 32}
MIN_BREAKER: Final = 6
MAX_BREAKER: Final = 100
