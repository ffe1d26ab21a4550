"""results.json and results.md: the numbers side by side, and the claims checked."""

from collections.abc import Mapping, Sequence
import json
from pathlib import Path

from bench.metrics import RunMetrics
from bench.run import RunResult

CONTROLLER_ORDER = ("ours", "static", "tesla", "evcc", "smartevse")
UPPER_BOUND_GAP = 0.03
# Energies are compared as the table prints them (0.01 kWh).
ENERGY_DIGITS = 2

type Document = dict[str, dict[str, dict[str, dict[str, float | int]]]]


def results_json(
    results: Sequence[RunResult], upper_bounds: Mapping[str, float]
) -> Document:
    """Return the results.json document."""
    scenarios: dict[str, dict[str, dict[str, float | int]]] = {}
    for result in results:
        scenarios.setdefault(result.scenario, {})[result.controller] = (
            result.metrics.as_json()
        )
    for name, bound in upper_bounds.items():
        scenarios.setdefault(name, {})["upper_bound"] = {
            "ev_energy_kwh": round(bound, 3)
        }
    return {"scenarios": scenarios}


def safe(metrics: RunMetrics) -> bool:
    """Return whether a run stayed within every limit beyond the grace, untripped."""
    return metrics.overload_amp_seconds == 0 and metrics.breaker_trips == 0


def claims(
    runs: Mapping[str, RunMetrics], bound_kwh: float, need_kwh: float
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
    # "Where the limits allow it": the upper bound serves every vehicle's need.
    if bound_kwh >= need_kwh * 0.999 and ours.ev_energy_kwh < bound_kwh * (
        1 - UPPER_BOUND_GAP
    ):
        failures.append(
            f"ours is {gap_pct(ours, bound_kwh):.1f} % below the upper bound"
        )
    return failures, notes


def gap_pct(metrics: RunMetrics, bound_kwh: float) -> float:
    """Return how far below the upper bound a run's energy is, in percent."""
    return 100.0 * (1.0 - metrics.ev_energy_kwh / bound_kwh) if bound_kwh > 0 else 0.0


def results_markdown(
    results: Sequence[RunResult],
    upper_bounds: Mapping[str, float],
    needs: Mapping[str, float],
    speed_us: Mapping[int, float],
    elapsed_s: float,
) -> str:
    """Return results.md: the table, the claims per scenario, engine speed."""
    by_scenario: dict[str, dict[str, RunMetrics]] = {}
    for result in results:
        by_scenario.setdefault(result.scenario, {})[result.controller] = result.metrics
    lines = [
        "# Benchmark results",
        "",
        "Per scenario: total need and upper bound (LP) in kWh. Per controller:",
        "energy delivered and its gap to the upper bound, energy unmet at departure,",
        "overload beyond the grace (A·s; the grace is 5 s after the reaction window,",
        "see bench/README.md), the same beyond a flat 5 s grace, the longest overload",
        "episode (s), breaker trips, vehicle commands, Jain fairness of the served",
        "fractions. **Bold**: stayed within every limit with no trip.",
        "",
        "| scenario | controller | kWh | gap % | unmet kWh | overload A·s "
        "| beyond 5 s A·s | longest s | trips | commands | fairness |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, runs in by_scenario.items():
        bound = upper_bounds[name]
        lines.append(
            f"| **{name}** (need {needs[name]:.1f}, bound {bound:.1f}) |||||||||||"
        )
        for controller in CONTROLLER_ORDER:
            if controller not in runs:
                continue
            m = runs[controller]
            label = f"**{controller}**" if safe(m) else controller
            lines.append(
                f"| | {label} | {m.ev_energy_kwh:.2f} | {gap_pct(m, bound):.1f} | "
                f"{m.unmet_energy_kwh:.2f} | {m.overload_amp_seconds:.0f} | "
                f"{m.strict_overload_amp_seconds:.0f} | {m.max_overload_s:.0f} | "
                f"{m.breaker_trips} | {m.commands} | {m.fairness:.3f} |"
            )
    lines += ["", "## Claims (ours)", ""]
    for name, runs in by_scenario.items():
        failures, notes = claims(runs, upper_bounds[name], needs[name])
        verdict = "misses: " + "; ".join(failures) if failures else "all hold"
        lines.append(f"- {name}: {verdict}" + "".join(f" ({note})" for note in notes))
    lines += ["", "## Where the overloads are (A·s beyond grace, by limit)", ""]
    for result in results:
        if result.overloads:
            parts = ", ".join(
                f"{limit} {amps:.0f}" for limit, amps in result.overloads.items()
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
        f"Suite wall time: {elapsed_s:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def write(out: Path, document: Document, markdown: str) -> None:
    """Write results.json and results.md into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(document, indent=2) + "\n", encoding="utf-8"
    )
    (out / "results.md").write_text(markdown, encoding="utf-8")
