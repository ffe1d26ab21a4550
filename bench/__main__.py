"""``python -m bench [--scenario FILE ...] [--out DIR] [--jobs N] [--no-plots]``."""

import argparse
import os
from pathlib import Path
import sys

from bench.suite import built_in_scenarios, run_suite


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write its results and print the table."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--scenario", action="append", type=Path, help="scenario YAML (repeatable)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench/out"), help="output directory"
    )
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes"
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNGs")
    args = parser.parse_args(argv)
    paths = args.scenario or built_in_scenarios()
    sys.stdout.write(run_suite(paths, args.out, args.jobs, plots=not args.no_plots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
