"""Run one controller through one scenario and keep what the report and plots need."""

from dataclasses import dataclass, field

from bench.actuator import Actuator
from bench.controllers import CONTROLLERS
from bench.facts import site_facts
from bench.limits import site_limits
from bench.metrics import RunMetrics, Scorer
from bench.observe import Observer
from simulator import Scenario, Site, SiteSnapshot

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
    controller = CONTROLLERS[controller_name](facts)
    observer = Observer(site, facts.poll_s)
    actuator = Actuator(site)
    scorer = Scorer(site_limits(scenario, facts), scenario.site.step_s)
    trace = Trace()
    battery_volts = site.grid.phase_voltage_v * len(scenario.site.live_backup_phases)
    while not site.done:
        now = site.now
        controller.step(now, observer, observer.update(now), actuator)
        snapshot = site.step()
        scorer.add(snapshot)
        trace.add(snapshot, battery_volts)
    return RunResult(
        scenario=scenario.site.name,
        controller=controller_name,
        metrics=scorer.result(site, actuator.commands),
        overloads=scorer.overloads(),
        trace=trace,
    )
