"""Every limit the site must respect, measured on what physically happened.

Per phase: the main breaker (grid import), the power-sharing group's network
limit (sum of its chargers), each charger's circuit (its breaker-derived
maximum); in an outage, the Powerwall's discharge capability and, at or below
the charging threshold, the rule that vehicles use only surplus solar.

An overload is only counted once it outlasts its grace: 5 s after the
reaction window, the fastest any controller could answer a surprise it did
not cause (an appliance starting, a car arriving at its old setting): the
time to see it (meter interval + delay for the panel, the Wall Connector poll
for groups and circuits, the Powerwall poll in an outage) plus the slowest
command latency of the vehicles on that limit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from bench.facts import SiteFacts
from bench.observe import POWERWALL_POLL_S
from simulator import Scenario, SiteSnapshot
from simulator.electrical import Supply

GRACE_S = 5.0


@dataclass(frozen=True)
class Limit:
    """One limit: how much current is on it and how much it allows, per step."""

    name: str
    grace_s: float
    # (amps on the limit, amps allowed) for one step; None when it does not apply.
    measure: Callable[[SiteSnapshot], tuple[float, float] | None]
    breaker_a: float | None = None


def site_limits(scenario: Scenario, facts: SiteFacts) -> list[Limit]:
    """Build the limits of ``scenario``."""
    spec = scenario.site
    latency_by_charger: dict[str, float] = {}
    for vehicle in spec.vehicles:
        latency_by_charger[vehicle.charger] = max(
            latency_by_charger.get(vehicle.charger, 0.0), vehicle.command_latency_s
        )
    slowest = max(latency_by_charger.values(), default=0.0)
    continuous = 0.8 if spec.grid.supply is Supply.SPLIT_PHASE else 1.0

    def grace(seen_after_s: float, chargers: list[str] | None = None) -> float:
        latency = (
            slowest
            if chargers is None
            else max((latency_by_charger.get(c, 0.0) for c in chargers), default=0.0)
        )
        return GRACE_S + seen_after_s + latency

    limits: list[Limit] = []
    meter_seen = spec.meter.interval_s + spec.meter.delay_s
    for phase in spec.grid.phases:
        limits.append(
            Limit(
                name=f"main breaker {phase}",
                grace_s=grace(meter_seen),
                measure=_grid_import(phase, spec.main_breaker_a),
                breaker_a=spec.main_breaker_a,
            )
        )
    for group in spec.groups:
        members = list(group.chargers)
        for phase in spec.grid.phases:
            limits.append(
                Limit(
                    name=f"network {group.name} {phase}",
                    grace_s=grace(facts.poll_s, members),
                    measure=_group(members, phase, group.limit_a),
                    breaker_a=group.limit_a / continuous,
                )
            )
    for charger in facts.chargers:
        limits.append(
            Limit(
                name=f"circuit {charger.charger_id}",
                grace_s=grace(facts.poll_s, [charger.charger_id]),
                measure=_charger(charger.charger_id, charger.max_current_a),
                breaker_a=float(charger.breaker_a),
            )
        )
    if spec.powerwall is not None:
        volts = spec.grid.phase_voltage_v * len(spec.live_backup_phases)
        discharge_w = 1000.0 * spec.powerwall.max_discharge_kw
        limits.append(
            Limit(
                name="powerwall discharge",
                grace_s=grace(POWERWALL_POLL_S),
                measure=_discharge(discharge_w, volts),
                breaker_a=discharge_w / volts,
            )
        )
        limits.append(
            Limit(
                name="outage threshold",
                grace_s=grace(POWERWALL_POLL_S),
                measure=_threshold(
                    spec.charging_threshold_pct, spec.grid.phase_voltage_v, volts
                ),
            )
        )
    return limits


def _grid_import(
    phase: str, limit_a: float
) -> Callable[[SiteSnapshot], tuple[float, float] | None]:
    def measure(snapshot: SiteSnapshot) -> tuple[float, float] | None:
        return (snapshot.grid_currents[phase], limit_a) if snapshot.grid_up else None

    return measure


def _group(
    members: list[str], phase: str, limit_a: float
) -> Callable[[SiteSnapshot], tuple[float, float] | None]:
    def measure(snapshot: SiteSnapshot) -> tuple[float, float] | None:
        currents = snapshot.charger_phase_currents
        return sum(currents[c].get(phase, 0.0) for c in members), limit_a

    return measure


def _charger(
    charger_id: str, limit_a: float
) -> Callable[[SiteSnapshot], tuple[float, float] | None]:
    def measure(snapshot: SiteSnapshot) -> tuple[float, float] | None:
        return snapshot.charger_currents[charger_id], limit_a

    return measure


def _discharge(
    discharge_w: float, volts: float
) -> Callable[[SiteSnapshot], tuple[float, float] | None]:
    def measure(snapshot: SiteSnapshot) -> tuple[float, float] | None:
        if snapshot.grid_up:
            return None
        return snapshot.battery_w / volts, discharge_w / volts

    return measure


def _threshold(
    threshold_pct: float, phase_voltage_v: float, volts: float
) -> Callable[[SiteSnapshot], tuple[float, float] | None]:
    """At or below the threshold, vehicles may use only surplus solar."""

    def measure(snapshot: SiteSnapshot) -> tuple[float, float] | None:
        soc = snapshot.powerwall_soc_pct
        if snapshot.grid_up or soc is None or soc > threshold_pct:
            return None
        ev_w = phase_voltage_v * sum(
            sum(c.values()) for c in snapshot.charger_phase_currents.values()
        )
        home_w = phase_voltage_v * sum(snapshot.home_currents.values())
        surplus_w = max(0.0, snapshot.solar_w - home_w)
        return ev_w / volts, surplus_w / volts

    return measure
