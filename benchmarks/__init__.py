"""Benchmarks for BCO's hot paths, each reported as a ratio to a raw baseline from the same run.

Run them with `scripts/bench` (or `.venv/bin/python -m benchmarks`); BENCHMARKS.md holds the
results and what they mean. Not part of the product package, so nothing in `bco` imports this.
"""
