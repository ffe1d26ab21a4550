"""evcc's load management, as its circuit code does it.

evcc (github.com/evcc-io/evcc) updates one loadpoint per site cycle, in turn
(``site.go``: the ticker takes the next loadpoint from ``loopLoadpoints``),
every ``interval`` (30 s by default). A loadpoint in "now" mode asks for its
maximum current; each circuit from its own up to the root caps the request
(``core/circuit/circuit.go`` ``ValidateCurrent``): an increase may use only
``maxCurrent - current`` where ``current`` is the circuit meter's worst phase
(the root circuit has the grid meter) or, without a meter, the sum of its
loadpoints' currents; decreases always pass. So whoever asks first keeps its
current (first come, first served). A request capped below the minimum
current (6 A) disables the charger. A circuit meter older than its timeout
(1 minute) counts as overloaded, which caps every request to 0. Each
power-sharing group is a circuit (nested ones under their parent, the root
above all). evcc has no Powerwall outage rule.
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import (
    MIN_CURRENT_A,
    Cadence,
    Controller,
    ev_currents,
)
from bench.facts import ChargerFacts, SiteFacts
from bench.observe import Observer

INTERVAL_S = 30.0
METER_TIMEOUT_S = 60.0


class EvccController(Controller):
    """One loadpoint per 30 s cycle, capped by its circuits."""

    name: ClassVar[str] = "evcc"

    def __init__(self, facts: SiteFacts) -> None:
        """Start the round-robin at the first charger."""
        super().__init__(facts)
        self._cadence = Cadence(INTERVAL_S)
        self._turn = 0

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Update the next loadpoint when the cycle comes round."""
        if not self._cadence.due(now):
            return
        charger = self.facts.chargers[self._turn % len(self.facts.chargers)]
        self._turn += 1
        view = observer.chargers.get(charger.charger_id)
        if view is None or not view.reachable:
            return  # evcc skips a loadpoint whose charger errors
        if not view.wants_current:
            return
        offered = act.commanded(charger.charger_id)
        old = float(offered or 0)  # evcc offers nothing before its first update
        new = self._validate(charger, old, float(charger.max_current_a), observer, now)
        act.set_pilot(charger.charger_id, int(new) if new >= MIN_CURRENT_A else 0)

    def _validate(
        self,
        charger: ChargerFacts,
        old: float,
        new: float,
        observer: Observer,
        now: float,
    ) -> float:
        """Apply ``ValidateCurrent`` of each group, innermost first, then the root."""
        for name in charger.groups:
            group = self.facts.group(name)
            group_current = max(
                ev_currents(
                    self.facts,
                    {
                        c: observer.chargers[c]
                        for c in group.chargers
                        if c in observer.chargers
                    },
                ).values()
            )
            new = _cap(old, new, group.limit_a, group_current)
        meter = observer.meter
        if meter is None or now - meter.reported_at > METER_TIMEOUT_S:
            return _cap(old, new, self.facts.panel_limit_a, float("inf"))
        return _cap(old, new, self.facts.panel_limit_a, max(meter.currents_a.values()))


def _cap(old: float, new: float, max_current: float, current: float) -> float:
    """Cap a request as evcc's ``ValidateCurrent`` does for one circuit."""
    delta = max(0.0, new - old)
    potential = max_current - current
    if delta > potential:
        return max(0.0, old + potential)
    return new
