"""A simulated Tesla Wall Connector site in virtual time (no Home Assistant import).

Main entry points:

- ``load_scenario(path)`` / ``scenario_from_dict(raw)`` -> ``Scenario`` (YAML schema
  in bench/README.md);
- ``Site(scenario.site)``: ``step()`` / ``advance(seconds)`` in virtual time,
  ``command_current(charger_id, amps)`` / ``command_charging(charger_id, on)``
  drive the vehicles, ``meter.latest``, ``powerwall``, ``chargers`` expose state;
- ``LiveSite(site, speed=...)``: one HTTP server per Wall Connector serving the
  real local API on 127.0.0.1 (``live.hosts``), in real time or test-driven;
- ``WallConnectorServer(site, charger_id)``: a single unit's server.
"""

from simulator.live import LiveSite
from simulator.scenario import (
    ManagementSpec,
    Scenario,
    load_scenario,
    scenario_from_dict,
)
from simulator.site import Site, SiteSnapshot, SiteSpec
from simulator.wall_connector.faults import FaultKind, QuirkKind
from simulator.wall_connector.server import WallConnectorServer

__all__ = [
    "FaultKind",
    "LiveSite",
    "ManagementSpec",
    "QuirkKind",
    "Scenario",
    "Site",
    "SiteSnapshot",
    "SiteSpec",
    "WallConnectorServer",
    "load_scenario",
    "scenario_from_dict",
]
