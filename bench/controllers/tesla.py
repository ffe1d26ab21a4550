"""Tesla's own Wall Connector firmware, as Tesla documents it.

- Power Sharing (Gen 3 Wall Connector Installation Manual, "Power Sharing";
  Tesla support "Wall Connector Power Sharing"): the leader splits the network
  limit equally among units with a vehicle charging and gives current a
  vehicle does not use to the others. A unit that loses the leader falls back
  to the fallback current (network limit / network size).
- Dynamic Power Management (Tesla support "Wall Connector Dynamic Power
  Management" with the Neurio/Tesla energy meter): a single Wall Connector
  follows the site meter to keep the panel below its limit.
- The two are not combined: a power-sharing group ignores the meter.
- Grid outage with a Powerwall (Tesla app, "Vehicle charging during outage"):
  charging stops when the Powerwall falls to the threshold and does not
  resume by itself while the grid is down.

Here the leader decides every ``CADENCE_S`` and its pilots reach the
vehicles through the same vehicle-command latency as every other controller.
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import (
    MIN_CURRENT_A,
    Cadence,
    Controller,
    apply,
    panel_budget_a,
    wanting,
    within_groups,
)
from bench.facts import ChargerFacts, SiteFacts
from bench.observe import Observer

CADENCE_S = 5.0
# A vehicle this far below its share has current to give back.
UNUSED_MARGIN_A = 3.0


class TeslaController(Controller):
    """Power sharing for a group, meter-following for a single unit."""

    name: ClassVar[str] = "tesla"

    def __init__(self, facts: SiteFacts) -> None:
        """Start with nothing latched."""
        super().__init__(facts)
        self._cadence = Cadence(CADENCE_S)
        self._outage_stopped = False

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Re-split on the leader's cadence."""
        if not self._cadence.due(now):
            return
        active = wanting(self.facts, observer)
        if self._outage_stop(observer):
            apply(act, {}, active)
            return
        grouped = [c for c in active if c.grouped]
        pilots = self._share(grouped, observer)
        for charger in active:
            if not charger.grouped:
                pilots[charger.charger_id] = self._dynamic(charger, observer)
        apply(act, pilots, active)

    def _outage_stop(self, observer: Observer) -> bool:
        powerwall = observer.powerwall
        threshold = self.facts.charging_threshold_pct
        if powerwall is None or threshold is None or powerwall.grid_up:
            self._outage_stopped = False
            return False
        if powerwall.soc_pct <= threshold:
            self._outage_stopped = True
        return self._outage_stopped

    def _share(self, grouped: list[ChargerFacts], observer: Observer) -> dict[str, int]:
        """Each network (with its nested circuits) is shared on its own."""
        if not grouped:
            return {}
        caps: dict[str, float] = {}
        for charger in grouped:
            view = observer.chargers[charger.charger_id]
            if not view.reachable:
                caps[charger.charger_id] = self.facts.fallback_a(charger)
                continue
            group = self.facts.group(charger.groups[0])
            active = [c for c in grouped if c.charger_id in group.chargers]
            share = group.limit_a / len(active)
            drawing = view.current_a
            # Unused current goes back to the pool.
            unused = 0 < drawing < min(share, charger.max_current_a) - UNUSED_MARGIN_A
            caps[charger.charger_id] = drawing + 1 if unused else charger.max_current_a
        return within_groups(self.facts, float("inf"), caps)

    def _dynamic(self, charger: ChargerFacts, observer: Observer) -> int:
        meter = observer.meter
        if meter is None:
            return self.facts.fallback_a(charger)
        budget = panel_budget_a(self.facts, meter, observer.chargers)
        pilot = int(min(charger.max_current_a, budget))
        return pilot if pilot >= MIN_CURRENT_A else 0
