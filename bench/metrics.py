"""Scoring one run: overload beyond grace, breaker trips, energy, commands, fairness."""

from dataclasses import asdict, dataclass

from bench.breaker import ThermalBreaker
from bench.limits import GRACE_S, Limit
from simulator import Site, SiteSnapshot

# Below this an "overload" is rounding, not current.
EPSILON_A = 0.05


@dataclass(frozen=True)
class RunMetrics:
    """The numbers results.json holds for one controller on one scenario."""

    overload_amp_seconds: float
    max_overload_s: float
    ev_energy_kwh: float
    unmet_energy_kwh: float
    commands: int
    breaker_trips: int
    fairness: float
    # Not in results.json: overload beyond a flat 5 s grace, for results.md.
    strict_overload_amp_seconds: float = 0.0

    def as_json(self) -> dict[str, float | int]:
        """Return the results.json entry, rounded for reading."""
        values = asdict(self)
        del values["strict_overload_amp_seconds"]
        return {
            k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()
        }


class _LimitScore:
    """Overload episodes and the breaker on one limit."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.breaker = ThermalBreaker(limit.breaker_a) if limit.breaker_a else None
        self.episode_s = 0.0
        self.longest_s = 0.0
        self.amp_seconds = 0.0
        self.strict_amp_seconds = 0.0

    def add(self, snapshot: SiteSnapshot, dt_s: float) -> None:
        measured = self.limit.measure(snapshot)
        if measured is None:
            self.episode_s = 0.0
            return
        current, allowed = measured
        if self.breaker is not None:
            self.breaker.step(current, dt_s)
        excess = current - allowed
        if excess <= EPSILON_A:
            self.episode_s = 0.0
            return
        self.episode_s += dt_s
        self.longest_s = max(self.longest_s, self.episode_s)
        if self.episode_s > self.limit.grace_s:
            self.amp_seconds += excess * dt_s
        if self.episode_s > GRACE_S:
            self.strict_amp_seconds += excess * dt_s


class Scorer:
    """Watches every step of one run."""

    def __init__(self, limits: list[Limit], dt_s: float) -> None:
        """Score against ``limits``."""
        self.scores = [_LimitScore(limit) for limit in limits]
        self.dt_s = dt_s

    def add(self, snapshot: SiteSnapshot) -> None:
        """Score one step."""
        for score in self.scores:
            score.add(snapshot, self.dt_s)

    def overloads(self) -> dict[str, float]:
        """Return amp-seconds beyond grace per limit (only limits that have any)."""
        return {s.limit.name: s.amp_seconds for s in self.scores if s.amp_seconds > 0}

    def result(self, site: Site, commands: int) -> RunMetrics:
        """Return the run's metrics once the site has finished."""
        delivered = [v.energy_kwh for v in site.vehicles.values()]
        needed = [
            max(0.0, v.spec.target_soc_pct - v.spec.soc_pct) / 100 * v.spec.battery_kwh
            for v in site.vehicles.values()
        ]
        unmet = sum(
            max(0.0, v.spec.target_soc_pct - v.soc_pct) / 100 * v.spec.battery_kwh
            for v in site.vehicles.values()
        )
        return RunMetrics(
            overload_amp_seconds=sum(s.amp_seconds for s in self.scores),
            max_overload_s=max((s.longest_s for s in self.scores), default=0.0),
            ev_energy_kwh=sum(delivered),
            unmet_energy_kwh=unmet,
            commands=commands,
            breaker_trips=sum(s.breaker.trips for s in self.scores if s.breaker),
            fairness=jain_fairness(
                [d / n for d, n in zip(delivered, needed, strict=True) if n > 0]
            ),
            strict_overload_amp_seconds=sum(s.strict_amp_seconds for s in self.scores),
        )


def jain_fairness(shares: list[float]) -> float:
    """Return Jain's index of the vehicles' served fractions (1 = all served alike)."""
    total = sum(shares)
    squares = sum(x * x for x in shares)
    if not shares or squares == 0:
        return 1.0
    return total * total / (len(shares) * squares)
