"""What all controllers share.

The interface, a cadence, and the arithmetic of headroom and fair shares that
several of them use.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import ClassVar

from bench.actuator import Actuator
from bench.facts import ChargerFacts, GroupFacts, SiteFacts
from bench.observe import ChargerView, Observer
from simulator.meter import MeterReading

MIN_CURRENT_A = 6


class Controller(ABC):
    """Decides pilots from observations; called once per simulated second."""

    name: ClassVar[str]
    # True: it sets the Wall Connector's pilot, not the vehicle's current.
    sets_unit_pilot: ClassVar[bool] = False

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
    """Command each of ``chargers``' vehicles: its pilot, or 0 (pause) if none."""
    for charger in chargers:
        act.set_pilot(charger.charger_id, pilots.get(charger.charger_id, 0))


def within_groups(
    facts: SiteFacts, budget_a: float, caps: Mapping[str, float]
) -> dict[str, int]:
    """``water_fill`` of ``budget_a`` that also keeps every group within its limit.

    Groups nest (a sub-panel inside a group) or sit side by side; each is
    filled like one charger whose cap is the lesser of its limit and what its
    members can take, then shares its part among them the same way.
    """
    return _fill_node(facts, None, budget_a, caps)


def _children(
    facts: SiteFacts, parent: str | None, caps: Mapping[str, float]
) -> tuple[list[GroupFacts], list[str]]:
    inner = [g for g in facts.groups if g.parent == parent]
    taken = {c for g in inner for c in g.chargers}
    scope = set(facts.group(parent).chargers) if parent else set(caps)
    return inner, [c for c in caps if c in scope and c not in taken]


def _capacity(facts: SiteFacts, group: GroupFacts, caps: Mapping[str, float]) -> float:
    inner, alone = _children(facts, group.name, caps)
    total = sum(caps[c] for c in alone) + sum(_capacity(facts, g, caps) for g in inner)
    return min(group.limit_a, total)


def _fill_node(
    facts: SiteFacts, parent: str | None, budget_a: float, caps: Mapping[str, float]
) -> dict[str, int]:
    inner, alone = _children(facts, parent, caps)
    if not inner:
        return water_fill(budget_a, {c: caps[c] for c in alone})
    sizes = {c: caps[c] for c in alone}
    sizes.update({g.name: _capacity(facts, g, caps) for g in inner})
    parts = _fair_split(budget_a, sizes)
    shares = {c: int(parts[c]) for c in alone}
    for group in inner:
        shares.update(_fill_node(facts, group.name, parts[group.name], caps))
    return shares


def _fair_split(budget_a: float, caps: Mapping[str, float]) -> dict[str, float]:
    """Max-min fair split of ``budget_a`` in real amps, none above its cap."""
    parts = dict.fromkeys(caps, 0.0)
    left = max(0.0, budget_a)
    open_ids = sorted(caps, key=lambda i: caps[i])
    while open_ids:
        equal = left / len(open_ids)
        if caps[open_ids[0]] > equal:
            for name in open_ids:
                parts[name] = equal
            break
        smallest = open_ids.pop(0)
        parts[smallest] = caps[smallest]
        left -= caps[smallest]
    return parts


def apply_unit_pilots(
    act: Actuator, pilots: Mapping[str, int], chargers: Sequence[ChargerFacts]
) -> None:
    """Set each of ``chargers``' own pilot: its share, or 0 when it got none."""
    for charger in chargers:
        act.set_wall_connector_pilot(
            charger.charger_id, pilots.get(charger.charger_id, 0)
        )
