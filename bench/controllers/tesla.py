"""Tesla's own Wall Connector firmware, as Tesla documents it.

- Power Sharing (Gen 3 Wall Connector Installation Manual, "Power Sharing";
  Tesla support "Wall Connector Power Sharing"): at most six units share a
  network; the leader splits the network limit equally among units with a
  vehicle charging and gives current a vehicle does not use to the others. A
  group of more than six is installed as networks of at most six, each with
  its share of the feeder (network limit x its size / the group's size).
- Dynamic Power Management (Tesla support "Wall Connector Dynamic Power
  Management" with the Neurio/Tesla energy meter): a single Wall Connector
  follows the site meter to keep the panel below its limit.
- The two are not combined: a power-sharing group ignores the meter.
- Grid outage with a Powerwall (Tesla support "Vehicle Charging During Power
  Outage"): the Powerwall slows or stops the charge so that home and vehicles
  stay within its power; below the charging threshold only surplus solar,
  and charging resumes once solar has recharged the battery above the
  threshold (here 1 % above: Tesla states no figure; without one it would
  flap at the threshold every few seconds).

The leader decides every ``CADENCE_S`` and sets each unit's pilot, which the
car follows in its pilot-follow time (no vehicle commands).
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import (
    MIN_CURRENT_A,
    Cadence,
    Controller,
    apply_unit_pilots,
    panel_budget_a,
    wanting,
    water_fill,
    within_groups,
)
from bench.facts import ChargerFacts, SiteFacts
from bench.observe import Observer

CADENCE_S = 5.0
NETWORK_SIZE_MAX = 6
# A vehicle this far below its share has current to give back.
UNUSED_MARGIN_A = 3.0
THRESHOLD_HYSTERESIS_PCT = 1.0


def networks(facts: SiteFacts) -> list[tuple[list[ChargerFacts], float]]:
    """Return the power-sharing networks of at most six units and their limits.

    One network per outermost group; a group nested inside it is kept by
    sharing within it (``within_groups``), as its installer would commission.
    """
    found: list[tuple[list[ChargerFacts], float]] = []
    for group in facts.groups:
        if group.parent is not None:
            continue
        members = [c for c in facts.chargers if c.charger_id in group.chargers]
        chunks = [
            members[i : i + NETWORK_SIZE_MAX]
            for i in range(0, len(members), NETWORK_SIZE_MAX)
        ]
        found += [
            (chunk, float(int(group.limit_a * len(chunk) / len(members))))
            for chunk in chunks
        ]
    return found


class TeslaController(Controller):
    """Power sharing for a group, meter-following for a single unit."""

    name: ClassVar[str] = "tesla"
    sets_unit_pilot: ClassVar[bool] = True

    def __init__(self, facts: SiteFacts) -> None:
        """Split the group into networks once, as an installer would."""
        super().__init__(facts)
        self._cadence = Cadence(CADENCE_S)
        self._networks = networks(facts)
        self._at_threshold = False

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Re-split on the leader's cadence."""
        if not self._cadence.due(now):
            return
        active = wanting(self.facts, observer)
        pilots: dict[str, int] = {}
        for members, limit in self._networks:
            ids = {c.charger_id for c in members}
            pilots |= self._share(
                [c for c in active if c.charger_id in ids], limit, observer
            )
        for charger in active:
            if not charger.grouped:
                pilots[charger.charger_id] = self._dynamic(charger, observer)
        pilots = self._outage_cap(pilots, observer)
        apply_unit_pilots(act, pilots, self.facts.chargers)

    def _share(
        self, members: list[ChargerFacts], limit: float, observer: Observer
    ) -> dict[str, int]:
        caps: dict[str, float] = {}
        for charger in members:
            view = observer.chargers[charger.charger_id]
            if not view.reachable:
                caps[charger.charger_id] = self.facts.fallback_a(charger)
                continue
            share = limit / len(members)
            drawing = view.current_a
            # Unused current goes back to the pool.
            unused = 0 < drawing < min(share, charger.max_current_a) - UNUSED_MARGIN_A
            caps[charger.charger_id] = drawing + 1 if unused else charger.max_current_a
        return within_groups(self.facts, limit, caps)

    def _dynamic(self, charger: ChargerFacts, observer: Observer) -> int:
        meter = observer.meter
        if meter is None:
            return self.facts.fallback_a(charger)
        budget = panel_budget_a(self.facts, meter, observer.chargers)
        pilot = int(min(charger.max_current_a, budget))
        return pilot if pilot >= MIN_CURRENT_A else 0

    def _outage_cap(self, pilots: dict[str, int], observer: Observer) -> dict[str, int]:
        """In an outage, fit the vehicles' power into what the Powerwall can give."""
        powerwall = observer.powerwall
        capability = self.facts.discharge_capability_w
        if powerwall is None or powerwall.grid_up or capability is None:
            return pilots
        volts = self.facts.phase_voltage_v
        ev_w = volts * sum(
            sum(view.phase_currents.values()) for view in observer.chargers.values()
        )
        home_w = powerwall.load_w - ev_w
        threshold = self.facts.charging_threshold_pct
        if threshold is not None:
            resume_at = threshold + THRESHOLD_HYSTERESIS_PCT
            low = powerwall.soc_pct <= (resume_at if self._at_threshold else threshold)
            self._at_threshold = low
        if threshold is not None and self._at_threshold:
            room_w = powerwall.solar_w - home_w
        else:
            room_w = capability + powerwall.solar_w - home_w
        per_amp_w = {i: volts * self._phases_drawn(i, observer) for i in pilots}
        shares_w = water_fill(
            room_w, {i: amps * per_amp_w[i] for i, amps in pilots.items()}
        )
        fitted = {i: int(shares_w[i] // per_amp_w[i]) for i in pilots}
        return {i: a if a >= MIN_CURRENT_A else 0 for i, a in fitted.items()}

    def _phases_drawn(self, charger_id: str, observer: Observer) -> int:
        """Phases a unit's vehicle draws on: as polled, else all of the unit's."""
        view = observer.chargers.get(charger_id)
        if view is not None and view.phase_currents:
            return len(view.phase_currents)
        return len(
            next(c for c in self.facts.chargers if c.charger_id == charger_id).phases
        )
