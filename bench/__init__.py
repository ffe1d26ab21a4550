"""Benchmark: our engine against the controllers people use instead, on simulated sites.

``python -m bench`` (or ``scripts/bench``) runs the built-in suite in
``bench/scenarios`` and writes results.json, results.md and one plot per
scenario. See bench/README.md for the metrics, the scenario schema and how
each baseline is modelled.
"""
