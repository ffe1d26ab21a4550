"""SmartEVSE's Smart mode load balancing, as its firmware does it.

SmartEVSE-3 firmware (github.com/SmartEVSE/SmartEVSE-3, read at 2bc4238,
``SmartEVSE-3/src/main.cpp``): ``CalcBalancedCurrent`` runs on every new
mains reading (``phasesLastUpdateFlag``). ``Idifference = MaxMains -
Imeasured`` (the worst phase); a positive difference raises the total
``IsetBalanced`` by a quarter of it, a negative one lowers it at once; then
``IsetBalanced <= MaxMains - Baseload`` and ``<= MaxCircuit`` with
``Baseload = Imeasured - TotalCurrent`` (the currents it set, not measured).
A new EVSE asking (``mod = 1``, only if ``IsCurrentAvailable``) resets
``IsetBalanced`` to the whole headroom. Below ``ActiveEVSE * MinCurrent``
each shortage that breaks a limit counts ``NoCurrent``; the Modbus loop stops
every EVSE only once ``NoCurrent > 2`` (three in a row; enough current resets
it) or the mains exceed twice ``MaxMains``, and the ``LESS_6A`` error holds
them until a 6 A start fits, then ``CHARGEDELAY`` (60 s). No mains reading
for ``COMM_TIMEOUT`` (11 s) is ``CT_NOCOMM``: charging stops. The share is
split equally, an EVSE below the average keeping its max; 80 A at most in
all. It sets each EVSE's pilot (no vehicle commands). No Powerwall rule.
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import (
    MIN_CURRENT_A,
    Controller,
    apply_unit_pilots,
    wanting,
    within_groups,
)
from bench.facts import SiteFacts
from bench.observe import Observer
from simulator.meter import MeterReading

CHARGE_DELAY_S = 60.0
COMM_TIMEOUT_S = 11.0
HARD_LIMIT_A = 80.0
SHORTAGES_TO_STOP = 3


class SmartEvseController(Controller):
    """A quarter of the headroom per reading; stop after three shortages."""

    name: ClassVar[str] = "smartevse"
    sets_unit_pilot: ClassVar[bool] = True

    def __init__(self, facts: SiteFacts) -> None:
        """No EVSE charging, no error."""
        super().__init__(facts)
        self._iset_a = 0.0
        self._balanced: dict[str, int] = {}
        self._no_current = 0
        self._less_6a = False
        self._delay_until = 0.0
        self._last_reading: MeterReading | None = None

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Re-balance on each new mains reading."""
        meter = observer.meter
        if meter is None or now - meter.reported_at > COMM_TIMEOUT_S:
            self._stop(act)
            return
        if meter is self._last_reading:
            return
        self._last_reading = meter
        imeasured = max(meter.currents_a.values())
        if self._less_6a or now < self._delay_until:
            if self._less_6a and self._fits(["any"], imeasured):
                self._less_6a = False
                self._delay_until = now + CHARGE_DELAY_S
            self._stop(act)
            return
        self._balance(observer, imeasured)
        if self._no_current >= SHORTAGES_TO_STOP or imeasured > 2 * self._max_mains:
            self._less_6a = True
            self._no_current = 0
            self._stop(act)
            return
        apply_unit_pilots(act, self._balanced, self.facts.chargers)

    @property
    def _max_mains(self) -> float:
        return self.facts.panel_limit_a

    def _circuit_short(self, evses: list[str]) -> bool:
        """Whether a circuit (group) cannot give each of its ``evses`` 6 A."""
        return any(
            group.limit_a < MIN_CURRENT_A * sum(i in group.chargers for i in evses)
            for group in self.facts.groups
        )

    def _baseload(self, imeasured: float) -> float:
        return imeasured - sum(self._balanced.values())

    def _fits(self, evses: list[str], imeasured: float) -> bool:
        """Return ``IsCurrentAvailable``: could ``evses`` all get 6 A."""
        need = len(evses) * MIN_CURRENT_A
        return need + self._baseload(imeasured) <= self._max_mains and not (
            self._circuit_short(evses)
        )

    def _balance(self, observer: Observer, imeasured: float) -> None:
        active = {c.charger_id: c for c in wanting(self.facts, observer)}
        self._balanced = {i: a for i, a in self._balanced.items() if i in active}
        newcomers = [i for i in active if i not in self._balanced]
        joined = newcomers and self._fits([*self._balanced, *newcomers], imeasured)
        headroom = self._max_mains - self._baseload(imeasured)
        if joined:
            self._balanced.update(dict.fromkeys(newcomers, 0))
            self._iset_a = headroom
        else:
            difference = self._max_mains - imeasured
            self._iset_a += difference / 4 if difference > 0 else difference
            self._iset_a = min(max(self._iset_a, 0.0), HARD_LIMIT_A)
        self._iset_a = min(self._iset_a, headroom)
        if not self._balanced:
            self._no_current = 0
            return
        minimum = len(self._balanced) * MIN_CURRENT_A
        if self._iset_a < minimum:
            self._iset_a = minimum
            hard = minimum > headroom or self._circuit_short(list(self._balanced))
            self._no_current = self._no_current + 1 if hard else self._no_current
        else:
            self._no_current = 0
        caps = {i: float(active[i].max_current_a) for i in self._balanced}
        self._balanced = within_groups(
            self.facts, min(self._iset_a, sum(caps.values())), caps
        )

    def _stop(self, act: Actuator) -> None:
        self._balanced = {}
        apply_unit_pilots(act, {}, self.facts.chargers)
