"""Run one controller through one scenario and keep what the report and plots need."""

from dataclasses import dataclass, field
from functools import partial

from bench.actuator import Actuator, pilot_follow_s
from bench.attribution import ActReplay, ChargerStep
from bench.controllers import CONTROLLERS
from bench.facts import site_facts
from bench.limits import (
    SEEN_BY_METER,
    SEEN_BY_POLL,
    SEEN_BY_POWERWALL,
    command_latencies,
    site_limits,
)
from bench.metrics import RunMetrics, Scorer
from bench.observe import Observer
from simulator import FaultKind, Scenario, Site, SiteSnapshot

TRACE_EVERY_S = 10.0


@dataclass
class Trace:
    """Down-sampled time series for the plot (worst value within each sample)."""

    hours: list[float] = field(default_factory=list)
    chargers: dict[str, list[float]] = field(default_factory=dict)
    ev_total_a: list[float] = field(default_factory=list)
    grid_a: list[float] = field(default_factory=list)
    battery_a: list[float] = field(default_factory=list)

    def add(self, snapshot: SiteSnapshot, battery_volts: float) -> None:
        """Record one step, keeping the maximum over each sample window."""
        new = not self.hours or snapshot.now >= self.hours[-1] * 3600 + TRACE_EVERY_S
        ev_by_phase: dict[str, float] = {}
        for currents in snapshot.charger_phase_currents.values():
            for phase, amps in currents.items():
                ev_by_phase[phase] = ev_by_phase.get(phase, 0.0) + amps
        values = {
            "ev": max(ev_by_phase.values(), default=0.0),
            "grid": max(snapshot.grid_currents.values(), default=0.0),
            "battery": max(0.0, snapshot.battery_w / battery_volts),
        }
        if new:
            self.hours.append(snapshot.now / 3600)
            self.ev_total_a.append(values["ev"])
            self.grid_a.append(values["grid"])
            self.battery_a.append(values["battery"])
            for charger_id, amps in snapshot.charger_currents.items():
                self.chargers.setdefault(charger_id, []).append(amps)
            return
        self.ev_total_a[-1] = max(self.ev_total_a[-1], values["ev"])
        self.grid_a[-1] = max(self.grid_a[-1], values["grid"])
        self.battery_a[-1] = max(self.battery_a[-1], values["battery"])
        for charger_id, amps in snapshot.charger_currents.items():
            self.chargers[charger_id][-1] = max(self.chargers[charger_id][-1], amps)


@dataclass(frozen=True)
class RunResult:
    """One controller on one scenario."""

    scenario: str
    controller: str
    metrics: RunMetrics
    overloads: dict[str, float]
    trace: Trace


def run(scenario: Scenario, controller_name: str) -> RunResult:
    """Simulate ``scenario`` under ``controller_name`` from start to end."""
    site = Site(scenario.site)
    facts = site_facts(scenario, site)
    kind = CONTROLLERS[controller_name]
    controller = kind(facts)
    observer = Observer(site, facts.poll_s)
    actuator = Actuator(site)
    latency = _latencies(scenario, unit_pilot=kind.sets_unit_pilot)
    powerwall = scenario.site.powerwall
    scorer = Scorer(
        site_limits(scenario, facts, latency),
        scenario.site.step_s,
        1000.0 * powerwall.max_discharge_kw if powerwall else None,
    )
    replay = ActReplay(
        actuator.log,
        frozenset(v.name for v in scenario.site.vehicles if v.ignores_commands),
        {
            v.name: v.max_current_a
            if v.initial_setpoint_a is None
            else v.initial_setpoint_a
            for v in scenario.site.vehicles
        },
    )
    trace = Trace()
    battery_volts = site.grid.phase_voltage_v * len(scenario.site.live_backup_phases)
    while not site.done:
        now = site.now
        controller.step(now, observer, observer.update(now), actuator)
        _tell_seen(scorer, observer, facts.meter_stale_after_s, now)
        snapshot = site.step()
        scorer.add(
            snapshot,
            replay.land(now),
            replay.caps,
            partial(charger_steps, site, snapshot),
        )
        trace.add(snapshot, battery_volts)
    return RunResult(
        scenario=scenario.site.name,
        controller=controller_name,
        metrics=scorer.result(site, actuator.commands, actuator.pilot_changes),
        overloads=scorer.overloads(),
        trace=trace,
    )


def _latencies(scenario: Scenario, *, unit_pilot: bool) -> dict[str, float]:
    """Return how late an act reaches each charger's vehicles on this path."""
    if not unit_pilot:
        return command_latencies(scenario)
    latency: dict[str, float] = {}
    for vehicle in scenario.site.vehicles:
        follow = pilot_follow_s(vehicle.name)
        latency[vehicle.charger] = max(latency.get(vehicle.charger, 0.0), follow)
    return latency


def _tell_seen(
    scorer: Scorer, observer: Observer, stale_after_s: float, now: float
) -> None:
    """Mark what the controller could see at ``now``, channel by channel."""
    meter = observer.meter
    if meter is not None:
        stale = now - meter.reported_at > stale_after_s
        scorer.seen(now, SEEN_BY_METER, lambda at: stale or meter.measured_at >= at)
    if observer.last_poll_s == now:
        scorer.seen(now, SEEN_BY_POLL, lambda at: at < now)
    if observer.last_powerwall_s == now:
        scorer.seen(now, SEEN_BY_POWERWALL, lambda at: at < now)


def charger_steps(site: Site, snapshot: SiteSnapshot) -> dict[str, ChargerStep]:
    """Return what the attribution needs of each charger after one step."""
    live = site.grid.phases if snapshot.grid_up else site.spec.live_backup_phases
    steps: dict[str, ChargerStep] = {}
    for charger_id, unit in site.chargers.items():
        vehicle = unit.vehicle
        if vehicle is None:
            steps[charger_id] = ChargerStep(None, True, 0.0, 0.0, ())
            continue
        phases = tuple(
            p
            for p in site.grid.ev_phases(unit.spec.phases, vehicle.spec.phases)
            if p in live
        )
        can_draw = (
            phases
            and not snapshot.blackout
            and unit.fault_at(snapshot.now) is not FaultKind.REBOOT
            and vehicle.wants_charge(snapshot.now)
        )
        free = min(vehicle.acceptance_a(), unit.max_current_a) if can_draw else 0.0
        steps[charger_id] = ChargerStep(
            vehicle.spec.name,
            not vehicle.spec.ignores_commands,
            free,
            unit.current_a,
            phases,
        )
    return steps
