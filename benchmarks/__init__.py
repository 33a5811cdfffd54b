"""Benchmarks, run on demand; each appends its table to docs/benchmarks.md."""
