"""Fixtures for the development helper and the blueprints."""

from pathlib import Path

import custom_components

DEV = Path(__file__).resolve().parents[2] / "dev"

# dev/sim_site is loaded as the custom integration ``sim_site``, as the
# development Home Assistant does through its config/custom_components link.
if str(DEV) not in custom_components.__path__:
    custom_components.__path__.append(str(DEV))
