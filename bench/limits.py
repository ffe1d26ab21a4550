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

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bench.facts import SiteFacts
from bench.observe import POWERWALL_POLL_S
from simulator import Scenario, SiteSnapshot
from simulator.electrical import Supply

GRACE_S = 5.0


# How a surprise on a limit becomes visible to a controller.
SEEN_BY_METER = "meter"
SEEN_BY_POLL = "poll"
SEEN_BY_POWERWALL = "powerwall"


def _no_weight(charger_id: str, phases: tuple[str, ...]) -> float:
    return 0.0


@dataclass(frozen=True)
class Limit:
    """One limit: how much current is on it and how much it allows, per step.

    ``weight(charger, live phases)`` is how many amps on the limit one amp of
    that charger's vehicle adds; ``latency_s`` the slowest way its vehicles
    are acted on; ``grace_s`` the reaction window (seen + latency + 5 s).
    """

    name: str
    grace_s: float
    # (amps on the limit, amps allowed) for one step; None when it does not apply.
    measure: Callable[[SiteSnapshot], tuple[float, float] | None]
    breaker_a: float | None = None
    weight: Callable[[str, tuple[str, ...]], float] = _no_weight
    seen_by: str = SEEN_BY_POLL
    latency_s: float = 0.0


def command_latencies(scenario: Scenario) -> dict[str, float]:
    """Return the slowest vehicle-command latency at each charger."""
    latency: dict[str, float] = {}
    for vehicle in scenario.site.vehicles:
        latency[vehicle.charger] = max(
            latency.get(vehicle.charger, 0.0), vehicle.command_latency_s
        )
    return latency


def site_limits(
    scenario: Scenario,
    facts: SiteFacts,
    latency_by_charger: Mapping[str, float] | None = None,
) -> list[Limit]:
    """Build the limits of ``scenario``.

    ``latency_by_charger``: how late an act reaches each charger's vehicles
    (default: the vehicle-command latency).
    """
    spec = scenario.site
    if latency_by_charger is None:
        latency_by_charger = command_latencies(scenario)
    slowest = max(latency_by_charger.values(), default=0.0)
    continuous = 0.8 if spec.grid.supply is Supply.SPLIT_PHASE else 1.0
    all_ids = [c.charger_id for c in facts.chargers]

    def latency(chargers: list[str]) -> float:
        return max((latency_by_charger.get(c, 0.0) for c in chargers), default=0.0)

    def grace(seen_after_s: float, chargers: list[str] | None = None) -> float:
        return GRACE_S + seen_after_s + latency(chargers or all_ids)

    limits: list[Limit] = []
    meter_seen = spec.meter.interval_s + spec.meter.delay_s
    for phase in spec.grid.phases:
        limits.append(
            Limit(
                name=f"main breaker {phase}",
                grace_s=grace(meter_seen),
                measure=_grid_import(phase, spec.main_breaker_a),
                breaker_a=spec.main_breaker_a,
                weight=_on_phase(phase, None),
                seen_by=SEEN_BY_METER,
                latency_s=slowest,
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
                    weight=_on_phase(phase, frozenset(members)),
                    latency_s=latency(members),
                )
            )
    for charger in facts.chargers:
        limits.append(
            Limit(
                name=f"circuit {charger.charger_id}",
                grace_s=grace(facts.poll_s, [charger.charger_id]),
                measure=_charger(charger.charger_id, charger.max_current_a),
                breaker_a=float(charger.breaker_a),
                weight=_is_charger(charger.charger_id),
                latency_s=latency([charger.charger_id]),
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
                weight=_power_share(spec.grid.phase_voltage_v / volts),
                seen_by=SEEN_BY_POWERWALL,
                latency_s=slowest,
            )
        )
        limits.append(
            Limit(
                name="outage threshold",
                grace_s=grace(POWERWALL_POLL_S),
                measure=_threshold(
                    spec.charging_threshold_pct, spec.grid.phase_voltage_v, volts
                ),
                weight=_power_share(spec.grid.phase_voltage_v / volts),
                seen_by=SEEN_BY_POWERWALL,
                latency_s=slowest,
            )
        )
    return limits


def _on_phase(
    phase: str, members: frozenset[str] | None
) -> Callable[[str, tuple[str, ...]], float]:
    def weight(charger_id: str, phases: tuple[str, ...]) -> float:
        if members is not None and charger_id not in members:
            return 0.0
        return 1.0 if phase in phases else 0.0

    return weight


def _is_charger(only: str) -> Callable[[str, tuple[str, ...]], float]:
    def weight(charger_id: str, phases: tuple[str, ...]) -> float:
        return 1.0 if charger_id == only else 0.0

    return weight


def _power_share(per_phase: float) -> Callable[[str, tuple[str, ...]], float]:
    def weight(charger_id: str, phases: tuple[str, ...]) -> float:
        return per_phase * len(phases)

    return weight


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
