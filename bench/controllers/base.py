"""What all controllers share.

The interface, a cadence, and the arithmetic of headroom and fair shares that
several of them use.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import ClassVar

from bench.actuator import Actuator
from bench.facts import ChargerFacts, SiteFacts
from bench.observe import ChargerView, Observer
from simulator.meter import MeterReading

MIN_CURRENT_A = 6


class Controller(ABC):
    """Decides pilots from observations; called once per simulated second."""

    name: ClassVar[str]

    def __init__(self, facts: SiteFacts) -> None:
        """Remember the site's facts."""
        self.facts = facts

    @abstractmethod
    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Act on what is known at ``now`` (``changed``: something new arrived)."""


class Cadence:
    """Fires every ``period_s`` seconds, starting at once."""

    def __init__(self, period_s: float) -> None:
        """Create a cadence that is due immediately."""
        self.period_s = period_s
        self._next = 0.0

    def due(self, now: float) -> bool:
        """Return True (and schedule the next firing) when a period has passed."""
        if now < self._next:
            return False
        self._next = now + self.period_s
        return True


def wanting(facts: SiteFacts, observer: Observer) -> list[ChargerFacts]:
    """Return the chargers whose last poll shows a vehicle asking for current."""
    views = observer.chargers
    return [
        c
        for c in facts.chargers
        if c.charger_id in views and views[c.charger_id].wants_current
    ]


def ev_currents(facts: SiteFacts, views: Mapping[str, ChargerView]) -> dict[str, float]:
    """Return the measured EV current on each site phase, from the last polls."""
    total = dict.fromkeys(facts.phases, 0.0)
    for view in views.values():
        for phase, amps in view.phase_currents.items():
            total[phase] += amps
    return total


def home_load_a(
    facts: SiteFacts, meter: MeterReading, views: Mapping[str, ChargerView]
) -> float:
    """Return the worst phase of grid minus EV current (the house, as metered)."""
    ev = ev_currents(facts, views)
    return max(meter.currents_a[p] - ev[p] for p in facts.phases)


def panel_budget_a(
    facts: SiteFacts, meter: MeterReading, views: Mapping[str, ChargerView]
) -> float:
    """Return the current per phase all EVs together may draw under the panel."""
    return facts.panel_limit_a - home_load_a(facts, meter, views)


def water_fill(budget_a: float, caps: Mapping[str, float]) -> dict[str, int]:
    """Share ``budget_a`` equally in whole amps, none above its cap (max-min fair)."""
    shares = dict.fromkeys(caps, 0)
    open_ids = sorted(caps, key=lambda i: caps[i])
    left = max(0.0, budget_a)
    while open_ids:
        equal = left / len(open_ids)
        smallest = open_ids[0]
        if caps[smallest] <= equal:
            shares[smallest] = int(caps[smallest])
            left -= shares[smallest]
            open_ids.pop(0)
            continue
        for charger_id in open_ids:
            shares[charger_id] = int(equal)
        break
    return shares


def apply(
    act: Actuator, pilots: Mapping[str, int], chargers: Sequence[ChargerFacts]
) -> None:
    """Command each of ``chargers``: its pilot, or 0 (pause) when it got none."""
    for charger in chargers:
        act.set_pilot(charger.charger_id, pilots.get(charger.charger_id, 0))
