"""Run scenarios under every controller in parallel, then report and plot.

A scenario comes as a file (the built-in suite, ``--scenario``) or as a
generated dict (``--generate``); both are loaded the same way in each worker.
"""

from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import time
from typing import Any

import yaml

from bench.controllers import CONTROLLERS
from bench.plot import plot_scenario
from bench.report import results_json, results_markdown, write
from bench.run import RunResult, run
from bench.speed import engine_speed
from bench.summary import summarize
from bench.upper_bound import ceiling_kwh, upper_bound_kwh
from simulator import Scenario, load_scenario, scenario_from_dict

BUILT_IN = Path(__file__).parent / "scenarios"

type Source = str | Mapping[str, Any]
type Bound = tuple[str, float, float]


def built_in_scenarios() -> list[Path]:
    """Return the built-in suite's scenario files."""
    return sorted(BUILT_IN.glob("*.yaml"))


def load(source: Source) -> Scenario:
    """Load a scenario file, or build a generated scenario dict."""
    if isinstance(source, str):
        return load_scenario(source)
    return scenario_from_dict(source)


def write_sites(sites: Sequence[Mapping[str, Any]], directory: Path) -> list[Path]:
    """Write each generated site as the YAML ``--scenario`` replays."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for site in sites:
        path = directory / f"{site['name']}.yaml"
        path.write_text(yaml.safe_dump(dict(site), sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _run_job(source: Source, controller: str) -> RunResult:
    return run(load(source), controller)


def _bound_job(source: Source) -> Bound:
    scenario = load(source)
    return scenario.site.name, upper_bound_kwh(scenario), ceiling_kwh(scenario)


def _run_all(
    sources: Sequence[Source], jobs: int
) -> tuple[list[RunResult], list[Bound]]:
    if jobs <= 1:  # in this process: simpler to debug and profile
        results = [_run_job(s, c) for s in sources for c in CONTROLLERS]
        return results, [_bound_job(s) for s in sources]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending = [pool.submit(_bound_job, s) for s in sources]
        runs = [pool.submit(_run_job, s, c) for s in sources for c in CONTROLLERS]
        return [f.result() for f in runs], [f.result() for f in pending]


def run_suite(
    sources: Sequence[Source | Path],
    out: Path,
    jobs: int,
    plots: bool = True,
    summary: bool = False,
) -> str:
    """Run every scenario under every controller; write results; return the table.

    ``summary`` adds the per-controller summary of a many-site run to
    results.json (results.md always starts with it).
    """
    started = time.perf_counter()
    items: list[Source] = [str(s) if isinstance(s, Path) else s for s in sources]
    results, bounds = _run_all(items, jobs)
    speed = engine_speed()
    if plots:
        for scenario in (load(s) for s in items):
            name = scenario.site.name
            plot_scenario(scenario, [r for r in results if r.scenario == name], out)
    upper = {name: bound for name, bound, _ in bounds}
    ceilings = {name: ceiling for name, _, ceiling in bounds}
    document: dict[str, Any] = dict(results_json(results, upper, ceilings))
    if summary:
        document["summary"] = summarize(document)
    elapsed = time.perf_counter() - started
    markdown = results_markdown(results, document, speed, elapsed)
    write(out, document, markdown)
    return markdown
