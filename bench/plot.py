"""One PNG per scenario: for each controller, current against every limit over time."""

from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

from bench.run import RunResult
from simulator import Scenario


def plot_scenario(scenario: Scenario, results: Sequence[RunResult], out: Path) -> Path:
    """Draw one panel per controller and save ``out/<scenario>.png``."""
    spec = scenario.site
    figure, axes = plt.subplots(
        len(results), 1, figsize=(11, 2.4 * len(results)), sharex=True, squeeze=False
    )
    for axis, result in zip(axes[:, 0], results, strict=True):
        trace = result.trace
        for charger_id, amps in trace.chargers.items():
            axis.plot(trace.hours, amps, linewidth=0.7, label=charger_id)
        axis.plot(
            trace.hours,
            trace.ev_total_a,
            color="black",
            linewidth=1.0,
            label="EV total",
        )
        axis.plot(
            trace.hours,
            trace.grid_a,
            color="tab:gray",
            linewidth=0.8,
            label="grid (worst phase)",
        )
        axis.axhline(
            spec.main_breaker_a,
            color="red",
            linestyle="--",
            linewidth=0.9,
            label="main breaker",
        )
        for group in spec.groups:
            axis.axhline(
                group.limit_a,
                color="orange",
                linestyle="--",
                linewidth=0.9,
                label=f"network {group.name}",
            )
        if spec.powerwall is not None:
            volts = spec.grid.phase_voltage_v * len(spec.live_backup_phases)
            axis.plot(
                trace.hours,
                trace.battery_a,
                color="tab:green",
                linewidth=0.8,
                label="Powerwall discharge",
            )
            axis.axhline(
                1000 * spec.powerwall.max_discharge_kw / volts,
                color="green",
                linestyle=":",
                linewidth=0.9,
                label="Powerwall limit",
            )
        metrics = result.metrics
        axis.set_title(
            f"{result.controller}: {metrics.ev_energy_kwh:.1f} kWh, "
            f"{metrics.overload_amp_seconds:.0f} A·s over, "
            f"{metrics.breaker_trips} trips, {metrics.commands} commands",
            fontsize=9,
            loc="left",
        )
        axis.set_ylabel("A")
        axis.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1, 0].set_xlabel(f"hours after {_clock(spec.start_clock_s)}")
    figure.suptitle(spec.name)
    figure.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{spec.name}.png"
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def _clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"
