"""Constants of the development-only simulated site."""

import logging
from typing import Final

DOMAIN: Final = "sim_site"
LOGGER = logging.getLogger(__package__)

CONF_SPEED: Final = "speed"
CONF_START: Final = "start"
CONF_PORT: Final = "port"
CONF_SITE_FILE: Final = "site_file"

DEFAULT_SPEED: Final = 1.0
DEFAULT_PORT: Final = 18081
MAX_SPEED: Final = 600.0
# Real seconds between two updates of the simulated site and its entities.
TICK_S: Final = 1.0
# Most simulated seconds one tick may catch up on (after the machine slept).
MAX_CATCH_UP_S: Final = 3600.0
SAVE_DELAY_S: Final = 60.0
