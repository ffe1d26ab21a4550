"""SmartEVSE's Smart mode load balancing.

SmartEVSE-3 firmware (github.com/SmartEVSE/SmartEVSE-3, ``CalcBalancedCurrent``
in ``main.cpp``/``evse.cpp``) recomputes on every new mains-meter reading
(about every 2 s): the EVs may draw ``min(MaxMains - Baseload,
MaxCircuit - Baseload_EV)`` per phase, where Baseload is the mains current
without the EVs. If that is less than ``ActiveEVSE * MinCurrent`` it is a hard
shortage and charging stops on every EVSE (``NoCurrent``), to retry after the
charge delay (60 s). Otherwise the current is split equally, an EVSE whose
maximum is below the average getting its maximum and the rest re-shared. A
lost mains meter is an error that stops charging. No Powerwall rule. Each
power-sharing group is a circuit with its own MaxCircuit (nested circuits
each within theirs), all balanced by one master against the mains.
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

CADENCE_S = 2.0
CHARGE_DELAY_S = 60.0
METER_TIMEOUT_S = 10.0


class SmartEvseController(Controller):
    """Equal split with stop-all on shortage."""

    name: ClassVar[str] = "smartevse"

    def __init__(self, facts: SiteFacts) -> None:
        """No shortage yet."""
        super().__init__(facts)
        self._cadence = Cadence(CADENCE_S)
        self._stopped_until = 0.0

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Re-balance every 2 s."""
        if not self._cadence.due(now):
            return
        active = wanting(self.facts, observer)
        meter = observer.meter
        if not active:
            return
        if (
            meter is None
            or now - meter.reported_at > METER_TIMEOUT_S
            or now < self._stopped_until
        ):
            apply(act, {}, active)
            return
        available = panel_budget_a(self.facts, meter, observer.chargers)
        if self._shortage(available, active):
            self._stopped_until = now + CHARGE_DELAY_S
            apply(act, {}, active)
            return
        caps = {c.charger_id: float(c.max_current_a) for c in active}
        apply(act, within_groups(self.facts, available, caps), active)

    def _shortage(self, available: float, active: list[ChargerFacts]) -> bool:
        """Whether the mains or any circuit cannot give each active EVSE 6 A."""
        if available < len(active) * MIN_CURRENT_A:
            return True
        for group in self.facts.groups:
            members = [c for c in active if c.charger_id in group.chargers]
            if group.limit_a < len(members) * MIN_CURRENT_A:
                return True
        return False
