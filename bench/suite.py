"""Run scenarios under every controller in parallel, then report and plot."""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import time

from bench.controllers import CONTROLLERS
from bench.plot import plot_scenario
from bench.report import results_json, results_markdown, write
from bench.run import RunResult, run
from bench.speed import engine_speed
from bench.upper_bound import ceiling_kwh, upper_bound_kwh
from simulator import Scenario, load_scenario

BUILT_IN = Path(__file__).parent / "scenarios"


def need_kwh(scenario: Scenario) -> float:
    """Return the energy all vehicles need to reach their targets."""
    return sum(
        max(0.0, v.target_soc_pct - v.soc_pct) / 100 * v.battery_kwh
        for v in scenario.site.vehicles
    )


def built_in_scenarios() -> list[Path]:
    """Return the built-in suite's scenario files."""
    return sorted(BUILT_IN.glob("*.yaml"))


def _run_job(path: str, controller: str) -> RunResult:
    return run(load_scenario(path), controller)


def _bound_job(path: str) -> tuple[str, float, float]:
    scenario = load_scenario(path)
    return scenario.site.name, upper_bound_kwh(scenario), ceiling_kwh(scenario)


def run_suite(paths: list[Path], out: Path, jobs: int, plots: bool = True) -> str:
    """Run every scenario under every controller; write results; return the table."""
    started = time.perf_counter()
    files = [str(p) for p in paths]
    if jobs <= 1:  # in this process: simpler to debug and profile
        results = [_run_job(f, c) for f in files for c in CONTROLLERS]
        bounds = [_bound_job(f) for f in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            runs = [pool.submit(_run_job, f, c) for f in files for c in CONTROLLERS]
            pending = [pool.submit(_bound_job, f) for f in files]
            results = [future.result() for future in runs]
            bounds = [future.result() for future in pending]
    upper = {name: bound for name, bound, _ in bounds}
    ceilings = {name: ceiling for name, _, ceiling in bounds}
    speed = engine_speed()
    if plots:
        for file in files:
            scenario = load_scenario(file)
            name = scenario.site.name
            plot_scenario(scenario, [r for r in results if r.scenario == name], out)
    document = results_json(results, upper, ceilings)
    elapsed = time.perf_counter() - started
    markdown = results_markdown(results, document, speed, elapsed)
    write(out, document, markdown)
    return markdown
