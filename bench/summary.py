"""What a run over many sites says per controller, and ours' worst sites.

Both read the results.json document (``{"scenarios": {site: {controller:
metrics, "ceiling": {...}, "upper_bound": {...}}}}``), so a generated run and
the built-in suite are summarised the same way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import math
import statistics

type Metrics = Mapping[str, float | int]
type Scenarios = Mapping[str, Mapping[str, Metrics]]

# Entries of a scenario that are not controllers.
REFERENCES = frozenset({"ceiling", "upper_bound"})


@dataclass(frozen=True)
class SiteVerdict:
    """One site for one controller: how bad it went and why, in words."""

    site: str
    badness: tuple[float, float, float, float]
    reason: str


def controllers(scenarios: Scenarios) -> list[str]:
    """Return every controller that ran, in the order first seen."""
    seen: dict[str, None] = {}
    for runs in scenarios.values():
        seen.update(dict.fromkeys(n for n in runs if n not in REFERENCES))
    return list(seen)


def energy_ratio(runs: Mapping[str, Metrics], controller: str) -> float | None:
    """Return a controller's energy over the site's ceiling (None: nothing to get)."""
    ceiling = runs.get("ceiling", {}).get("ev_energy_kwh", 0.0)
    if ceiling <= 0:
        return None
    return float(runs[controller]["ev_energy_kwh"]) / float(ceiling)


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile (``fraction`` in 0-1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(document: Mapping[str, Scenarios]) -> dict[str, dict[str, float | int]]:
    """Return the ``summary`` per controller of a results.json document.

    Per controller: sites run, sites with any self-caused overload, breaker
    trips (and sites with one), energy / ceiling min and median over the sites
    with a positive ceiling, commands per hour median and p95.
    """
    scenarios = document["scenarios"]
    summary: dict[str, dict[str, float | int]] = {}
    for name in controllers(scenarios):
        sites = [runs for runs in scenarios.values() if name in runs]
        ratios = [r for runs in sites if (r := energy_ratio(runs, name)) is not None]
        rates = [float(runs[name]["commands_per_hour"]) for runs in sites]
        summary[name] = {
            "sites": len(sites),
            "sites_with_self_caused_overload": sum(
                runs[name]["self_caused_overload_amp_seconds"] > 0 for runs in sites
            ),
            "breaker_trips": sum(int(runs[name]["breaker_trips"]) for runs in sites),
            "sites_with_trips": sum(runs[name]["breaker_trips"] > 0 for runs in sites),
            "energy_over_ceiling_min": round(min(ratios, default=1.0), 4),
            "energy_over_ceiling_median": round(
                statistics.median(ratios) if ratios else 1.0, 4
            ),
            "commands_per_hour_median": round(
                statistics.median(rates) if rates else 0.0, 2
            ),
            "commands_per_hour_p95": round(
                percentile(rates, 0.95) if rates else 0.0, 2
            ),
        }
    return summary


def verdict(site: str, runs: Mapping[str, Metrics], controller: str) -> SiteVerdict:
    """Judge one site: self-caused overload, trips, overload, then energy lost."""
    metrics = runs[controller]
    self_caused = float(metrics["self_caused_overload_amp_seconds"])
    overload = float(metrics["overload_amp_seconds"])
    trips = int(metrics["breaker_trips"])
    ratio = energy_ratio(runs, controller)
    missing = 0.0 if ratio is None else max(0.0, 1.0 - ratio)
    reasons = []
    if self_caused > 0:
        reasons.append(f"self-caused overload {self_caused:.0f} A·s")
    if trips:
        reasons.append(f"{trips} breaker trip{'s' if trips > 1 else ''}")
    if overload > self_caused:
        reasons.append(f"overload beyond grace {overload:.0f} A·s")
    if ratio is not None:
        reasons.append(f"energy {100 * ratio:.1f} % of the ceiling")
    badness = (self_caused, float(trips), overload, missing)
    return SiteVerdict(site, badness, "; ".join(reasons))


def worst_sites(
    document: Mapping[str, Scenarios], controller: str = "ours", count: int = 10
) -> list[SiteVerdict]:
    """Return ``controller``'s ``count`` worst sites, worst first (ties by name)."""
    scenarios = document["scenarios"]
    verdicts = [
        verdict(site, runs, controller)
        for site, runs in scenarios.items()
        if controller in runs
    ]
    verdicts.sort(key=lambda v: (tuple(-b for b in v.badness), v.site))
    return verdicts[:count]
