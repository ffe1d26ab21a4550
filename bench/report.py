"""results.json and results.md: the numbers side by side, and the claims checked."""

from collections.abc import Mapping, Sequence
import json
from pathlib import Path

from bench.metrics import RunMetrics
from bench.run import RunResult
from bench.summary import summarize, worst_sites

CONTROLLER_ORDER = ("ours", "static", "tesla", "evcc", "smartevse")
CEILING_GAP = 0.03
# Energies are compared as the table prints them (0.01 kWh).
ENERGY_DIGITS = 2

type Document = dict[str, dict[str, dict[str, dict[str, float | int]]]]


def results_json(
    results: Sequence[RunResult],
    upper_bounds: Mapping[str, float],
    ceilings: Mapping[str, float],
) -> Document:
    """Return the results.json document (scenarios in name order)."""
    scenarios: dict[str, dict[str, dict[str, float | int]]] = {}
    for result in sorted(results, key=lambda r: r.scenario):
        scenarios.setdefault(result.scenario, {})[result.controller] = (
            result.metrics.as_json()
        )
    for name in sorted(upper_bounds):
        scenarios.setdefault(name, {})["upper_bound"] = {
            "ev_energy_kwh": round(upper_bounds[name], 3)
        }
        scenarios[name]["ceiling"] = {"ev_energy_kwh": round(ceilings[name], 3)}
    return {"scenarios": scenarios}


def safe(metrics: RunMetrics) -> bool:
    """Return whether a run stayed within every limit beyond the grace, untripped."""
    return metrics.overload_amp_seconds == 0 and metrics.breaker_trips == 0


def claims(
    runs: Mapping[str, RunMetrics], ceiling_kwh: float
) -> tuple[list[str], list[str]]:
    """Check the "must show" claims for one scenario: (failures, notes).

    Baselines are compared only when they stay within the limits themselves:
    one that ignores a limit gets more energy with fewer commands for free.
    The notes name such baselines that reach ours' energy.
    """
    ours = runs["ours"]
    ours_kwh = round(ours.ev_energy_kwh, ENERGY_DIGITS)
    failures = []
    notes = []
    if not safe(ours):
        failures.append(
            f"ours overloads ({ours.overload_amp_seconds:.0f} A·s beyond grace, "
            f"{ours.self_caused_overload_amp_seconds:.0f} of them self-caused, "
            f"{ours.breaker_trips} trips)"
        )
    for name, other in runs.items():
        if name == "ours":
            continue
        other_kwh = round(other.ev_energy_kwh, ENERGY_DIGITS)
        if not safe(other):
            if other_kwh >= ours_kwh:
                notes.append(
                    f"{name} reaches {other_kwh:.2f} kWh with {other.commands} "
                    "commands by overloading"
                )
            continue
        if other_kwh > ours_kwh:
            failures.append(
                f"{name} delivers more energy within the limits "
                f"({other_kwh:.2f} vs {ours_kwh:.2f} kWh, "
                f"{other.commands} vs {ours.commands} commands)"
            )
        elif other_kwh == ours_kwh and other.commands <= ours.commands:
            failures.append(
                f"{name} reaches the same energy with {other.commands} commands "
                f"(ours {ours.commands})"
            )
    if ours.ev_energy_kwh < ceiling_kwh * (1 - CEILING_GAP):
        failures.append(f"ours is {gap_pct(ours, ceiling_kwh):.1f} % below the ceiling")
    return failures, notes


def gap_pct(metrics: RunMetrics, bound_kwh: float) -> float:
    """Return how far below a bound (or the ceiling) a run's energy is, in %."""
    return 100.0 * (1.0 - metrics.ev_energy_kwh / bound_kwh) if bound_kwh > 0 else 0.0


def results_markdown(
    results: Sequence[RunResult],
    document: Document,
    speed_us: Mapping[int, float],
    elapsed_s: float,
) -> str:
    """Return results.md: summary, ours' worst sites, the table, claims, speed."""
    scenarios = document["scenarios"]
    by_scenario: dict[str, dict[str, RunMetrics]] = {}
    for result in sorted(results, key=lambda r: r.scenario):
        by_scenario.setdefault(result.scenario, {})[result.controller] = result.metrics
    lines = ["# Benchmark results", "", *_summary_lines(document)]
    lines += ["", "## Where ours does worst", ""]
    lines += [
        f"{i}. {v.site}: {v.reason}"
        for i, v in enumerate(worst_sites(document, "ours"), 1)
    ]
    lines += ["", *TABLE_HEAD]
    for name, runs in by_scenario.items():
        bound = scenarios[name]["upper_bound"]["ev_energy_kwh"]
        ceiling = scenarios[name]["ceiling"]["ev_energy_kwh"]
        lines.append(
            f"| **{name}** (ceiling {ceiling:.1f}, bound {bound:.1f}) ||||||||||||"
        )
        lines += [_row(c, runs[c], ceiling) for c in CONTROLLER_ORDER if c in runs]
    lines += ["", "## Claims (ours)", ""]
    for name, runs in by_scenario.items():
        ceiling = scenarios[name]["ceiling"]["ev_energy_kwh"]
        failures, notes = claims(runs, ceiling)
        verdict = "misses: " + "; ".join(failures) if failures else "all hold"
        lines.append(f"- {name}: {verdict}" + "".join(f" ({note})" for note in notes))
    lines += ["", "## Where the overloads are (A·s beyond grace, by limit)", ""]
    for result in sorted(results, key=lambda r: (r.scenario, r.controller)):
        if result.overloads:
            parts = ", ".join(
                f"{limit} {amps:.0f}"
                for limit, amps in sorted(result.overloads.items())
            )
            lines.append(f"- {result.scenario} / {result.controller}: {parts}")
    lines += [
        "",
        "## Engine speed",
        "",
        "| chargers | µs per evaluation |",
        "|---:|---:|",
        *(f"| {size} | {us:.0f} |" for size, us in speed_us.items()),
        "",
        f"Wall time: {elapsed_s:.0f} s.",
        "",
    ]
    return "\n".join(lines)


TABLE_HEAD = (
    "## Per scenario",
    "",
    "Per scenario: the ceiling (a present-only controller with whole amps, 6 A,",
    "the margin and the stale budget) and the LP upper bound, in kWh. Per",
    "controller: energy and its gap to the ceiling, energy unmet at departure,",
    "self-caused overload (no grace), overload beyond the grace (self-caused",
    "plus surprises beyond seen + latency + 5 s), the same beyond a flat 5 s, the",
    "home's own overload (charged to nobody), the longest episode (s), breaker",
    "trips, vehicle commands per hour, Wall Connector pilot changes.",
    "**Bold**: no overload beyond the grace and no trip (see bench/README.md).",
    "",
    "| scenario | controller | kWh | gap % | unmet kWh | self-caused A·s "
    "| beyond grace A·s | beyond 5 s A·s | home A·s | longest s | trips "
    "| commands/h | pilot changes |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
)


def _row(controller: str, m: RunMetrics, ceiling: float) -> str:
    label = f"**{controller}**" if safe(m) else controller
    return (
        f"| | {label} | {m.ev_energy_kwh:.2f} | {gap_pct(m, ceiling):.1f} | "
        f"{m.unmet_energy_kwh:.2f} | {m.self_caused_overload_amp_seconds:.0f} | "
        f"{m.overload_amp_seconds:.0f} | {m.flat_grace_overload_amp_seconds:.0f} | "
        f"{m.home_only_overload_amp_seconds:.0f} | {m.max_overload_s:.0f} | "
        f"{m.breaker_trips} | {m.commands_per_hour:.1f} | {m.pilot_changes} |"
    )


def _summary_lines(document: Document) -> list[str]:
    summary = summarize(document)
    sites = max((int(s["sites"]) for s in summary.values()), default=0)
    lines = [
        f"## Summary ({sites} sites)",
        "",
        "| controller | sites with self-caused overload | trips (sites) "
        "| energy/ceiling min | median | commands/h median | p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in CONTROLLER_ORDER:
        if name not in summary:
            continue
        s = summary[name]
        lines.append(
            f"| {name} | {s['sites_with_self_caused_overload']} | "
            f"{s['breaker_trips']} ({s['sites_with_trips']}) | "
            f"{s['energy_over_ceiling_min']:.3f} | "
            f"{s['energy_over_ceiling_median']:.3f} | "
            f"{s['commands_per_hour_median']:.1f} | {s['commands_per_hour_p95']:.1f} |"
        )
    return lines


def write(out: Path, document: Document, markdown: str) -> None:
    """Write results.json and results.md into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(document, indent=2) + "\n", encoding="utf-8"
    )
    (out / "results.md").write_text(markdown, encoding="utf-8")
