"""Scoring one run: overload by cause, breaker trips, energy, commands, fairness."""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from bench.actuator import Act
from bench.attribution import EPSILON_A, CapState, ChargerStep, LimitAttribution
from bench.breaker import ThermalBreaker
from bench.limits import GRACE_S, Limit
from simulator import Site, SiteSnapshot


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
    self_caused_overload_amp_seconds: float = 0.0
    home_only_overload_amp_seconds: float = 0.0
    flat_grace_overload_amp_seconds: float = 0.0
    commands_per_hour: float = 0.0
    pilot_changes: int = 0
    powerwall_over_s: float = 0.0
    powerwall_peak_ratio: float = 0.0

    def as_json(self) -> dict[str, float | int]:
        """Return the results.json entry, rounded for reading."""
        return {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in asdict(self).items()
        }


class _LimitScore:
    """Overload by cause, episodes and the breaker on one limit."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.breaker = ThermalBreaker(limit.breaker_a) if limit.breaker_a else None
        self.attribution = LimitAttribution(
            limit.weight, limit.latency_s, limit.grace_s
        )
        self.episode_start: float | None = None
        self.last_over = -1e9
        self.longest_s = 0.0
        self.self_caused = 0.0
        self.beyond_grace = 0.0
        self.home_only = 0.0
        self.flat = 0.0

    def add(
        self,
        snapshot: SiteSnapshot,
        dt_s: float,
        landed: list[tuple[Act, float, float]],
        caps: CapState,
        steps: Callable[[], Mapping[str, ChargerStep]],
    ) -> None:
        measured = self.limit.measure(snapshot)
        if measured is None:
            self.attribution.split(snapshot.now, 0.0, caps, {})
            return
        current, allowed = measured
        if self.breaker is not None:
            self.breaker.step(current, dt_s)
        excess = current - allowed
        over = excess > EPSILON_A
        for act, old, new in landed:
            step = steps().get(act.charger_id)
            if step is not None and self.limit.weight(act.charger_id, step.live_phases):
                self.attribution.land(act, old, new, over=over)
        chargers = steps() if over else {}
        own, late, home = self.attribution.split(snapshot.now, excess, caps, chargers)
        self.self_caused += own * dt_s
        self.beyond_grace += (own + late) * dt_s
        self.home_only += home * dt_s
        self._episode(snapshot.now, excess - home, dt_s)

    def _episode(self, now: float, excess: float, dt_s: float) -> None:
        """Episodes separated by less than the grace are one."""
        if excess <= EPSILON_A:
            return
        if self.episode_start is None or now - self.last_over > self.limit.grace_s:
            self.episode_start = now
        self.last_over = now
        length = now + dt_s - self.episode_start
        self.longest_s = max(self.longest_s, length)
        if length > GRACE_S:
            self.flat += excess * dt_s


class Scorer:
    """Watches every step of one run."""

    def __init__(
        self, limits: list[Limit], dt_s: float, rating_w: float | None
    ) -> None:
        """Score against ``limits``; ``rating_w``: the Powerwall's discharge rating."""
        self.scores = [_LimitScore(limit) for limit in limits]
        self.dt_s = dt_s
        self.rating_w = rating_w
        self.powerwall_over_s = 0.0
        self.powerwall_peak_ratio = 0.0

    def add(
        self,
        snapshot: SiteSnapshot,
        landed: list[tuple[Act, float, float]],
        caps: CapState,
        steps: Callable[[], Mapping[str, ChargerStep]],
    ) -> None:
        """Score one step, given the acts that took effect in it.

        ``steps`` gives the chargers' state; it is asked only when a limit is
        over or an act landed, and computed once.
        """
        cache: list[Mapping[str, ChargerStep]] = []

        def once() -> Mapping[str, ChargerStep]:
            if not cache:
                cache.append(steps())
            return cache[0]

        for score in self.scores:
            score.add(snapshot, self.dt_s, landed, caps, once)
        if self.rating_w and not snapshot.grid_up:
            ratio = snapshot.battery_w / self.rating_w
            self.powerwall_peak_ratio = max(self.powerwall_peak_ratio, ratio)
            if ratio > 1.0:
                self.powerwall_over_s += self.dt_s

    def seen(
        self, now: float, channel: str, at_or_after: Callable[[float], bool]
    ) -> None:
        """Tell the limits seen through ``channel`` what the controller now sees."""
        for score in self.scores:
            if score.limit.seen_by == channel:
                score.attribution.seen(now, at_or_after)

    def overloads(self) -> dict[str, float]:
        """Return amp-seconds beyond grace per limit (only limits that have any)."""
        return {s.limit.name: s.beyond_grace for s in self.scores if s.beyond_grace > 0}

    def result(self, site: Site, commands: int, pilot_changes: int) -> RunMetrics:
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
        hours = site.spec.duration_s / 3600.0
        return RunMetrics(
            overload_amp_seconds=sum(s.beyond_grace for s in self.scores),
            max_overload_s=max((s.longest_s for s in self.scores), default=0.0),
            ev_energy_kwh=sum(delivered),
            unmet_energy_kwh=unmet,
            commands=commands,
            breaker_trips=sum(s.breaker.trips for s in self.scores if s.breaker),
            fairness=jain_fairness(
                [d / n for d, n in zip(delivered, needed, strict=True) if n > 0]
            ),
            self_caused_overload_amp_seconds=sum(s.self_caused for s in self.scores),
            home_only_overload_amp_seconds=sum(s.home_only for s in self.scores),
            flat_grace_overload_amp_seconds=sum(s.flat for s in self.scores),
            commands_per_hour=commands / hours if hours > 0 else 0.0,
            pilot_changes=pilot_changes,
            powerwall_over_s=self.powerwall_over_s,
            powerwall_peak_ratio=self.powerwall_peak_ratio,
        )


def jain_fairness(shares: list[float]) -> float:
    """Return Jain's index of the vehicles' served fractions (1 = all served alike)."""
    total = sum(shares)
    squares = sum(x * x for x in shares)
    if not shares or squares == 0:
        return 1.0
    return total * total / (len(shares) * squares)
