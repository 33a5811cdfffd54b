"""The crash harness: kill `baton serve` at every GitHub write of a workflow, restart it, and
count what GitHub holds (tests/e2e/test_crash_points_e2e.py runs it)."""
