"""``python -m bench [--scenario FILE ... | --generate N --seed S] [--out DIR] ...``."""

import argparse
import os
from pathlib import Path
import sys

from bench.generate import generate_sites
from bench.suite import Source, built_in_scenarios, run_suite, write_sites


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--scenario", action="append", type=Path, help="scenario YAML (repeatable)"
    )
    parser.add_argument(
        "--generate", type=int, metavar="N", help="run N generated random sites"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the generated sites (default 1)"
    )
    parser.add_argument(
        "--write-sites", type=Path, metavar="DIR", help="write generated sites as YAML"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench/out"), help="output directory"
    )
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes"
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNGs")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write its results and print the table."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.generate is None and args.write_sites is not None:
        parser.error("--write-sites needs --generate")
    if args.generate is not None:
        if args.scenario:
            parser.error("--generate and --scenario do not mix")
        sites = generate_sites(args.generate, args.seed)
        if args.write_sites is not None:
            write_sites(sites, args.write_sites)
        sources: list[Source | Path] = list(sites)
        # A random site's plot is read only when it is replayed with --scenario.
        table = run_suite(sources, args.out, args.jobs, plots=False, summary=True)
    else:
        paths = args.scenario or built_in_scenarios()
        table = run_suite(list(paths), args.out, args.jobs, plots=not args.no_plots)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
