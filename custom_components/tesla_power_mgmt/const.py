"""Constants for the Tesla power management integration."""

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

from .engine import Region

DOMAIN: Final = "tesla_power_mgmt"
LOGGER = logging.getLogger(__package__)

SUBENTRY_TYPE_CHARGER: Final = "charger"
SUBENTRY_TYPE_GROUP: Final = "group"

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
CONF_GROUP: Final = "group"  # the innermost group it is behind (subentry id)

# Group subentry (power-sharing group or sub-panel): CONF_NETWORK_LIMIT and
CONF_PARENT: Final = "parent"  # the group it sits in (subentry id; none: the panel)
DEFAULT_PORT: Final = 80

# Slow-changing endpoints are read less often than vitals.
LIFETIME_INTERVAL: Final = timedelta(minutes=1)
WIFI_INTERVAL: Final = timedelta(minutes=5)


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

# Site options: power meter (dynamic power management)
CONF_GRID_POWER_ENTITY: Final = "grid_power_entity"
CONF_PHASE_CURRENT_ENTITIES: Final = "phase_current_entities"
CONF_PANEL_LIMIT: Final = "panel_limit"
CONF_SAFETY_MARGIN: Final = "safety_margin"
DEFAULT_SAFETY_MARGIN: Final = 2

# Site options: group (power sharing)
CONF_NETWORK_LIMIT: Final = "network_limit"

# Site options: Powerwall
CONF_BATTERY_LEVEL_ENTITY: Final = "battery_level_entity"
CONF_GRID_STATUS_ENTITY: Final = "grid_status_entity"
CONF_SOLAR_POWER_ENTITY: Final = "solar_power_entity"
CONF_HOME_LOAD_ENTITY: Final = "home_load_entity"
CONF_DISCHARGE_CAPABILITY: Final = "discharge_capability"
CONF_POWERWALL_UNITS: Final = "powerwall_units"
CONF_CHARGING_THRESHOLD: Final = "charging_threshold"
DEFAULT_DISCHARGE_CAPABILITY: Final = 5.0  # kW per Powerwall 2
DEFAULT_CHARGING_THRESHOLD: Final = 50
CONF_BACKED_UP_PHASES: Final = "backed_up_phases"
CONF_OUTAGE_MARGIN: Final = "outage_margin"
DEFAULT_OUTAGE_MARGIN: Final = 10  # % of the discharge capability kept unused


class BackedUpPhases(StrEnum):
    """The phases a Powerwall keeps live in an outage (three-phase sites)."""

    L1 = "l1"  # Tesla's default for three-phase Wall Connectors
    ALL = "all"


# Site options: timing (engine defaults unless changed)
CONF_METER_STALE: Final = "meter_stale"
CONF_INCREASE_INTERVAL: Final = "increase_interval"
CONF_INCREASE_DEADBAND: Final = "increase_deadband"
CONF_RESUME_DELAY: Final = "resume_delay"
CONF_ROTATION_INTERVAL: Final = "rotation_interval"
CONF_NOT_DRAWING_AFTER: Final = "not_drawing_after"
CONF_STALE_FALLBACK: Final = "stale_fallback"

# Events for automations
EVENT_OUTAGE_STARTED: Final = f"{DOMAIN}_outage_started"
EVENT_OUTAGE_ENDED: Final = f"{DOMAIN}_outage_ended"
EVENT_CHARGER_THROTTLED: Final = f"{DOMAIN}_charger_throttled"

# Services
SERVICE_BOOST: Final = "boost"
SERVICE_PAUSE: Final = "pause"
SERVICE_RESUME: Final = "resume"
SERVICE_END_BOOST: Final = "end_boost"
ATTR_DURATION: Final = "duration"
