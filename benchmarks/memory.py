"""Memory: resident set size of `baton serve` (SQLite) idle once start-up has settled, and under
the ack benchmark's load (signed `pull_request` and `issue_comment` deliveries from the
open-loop generator, benchmarks/openloop.py, at a fixed rate), and after that load is drained.
Usage: python -m benchmarks.memory [--rate 200] [--seconds 10] [--record]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import append, table
from benchmarks.world import add_repo, bench, rss_mb
from tests.e2e.conftest import REPO, SECRET


def settled(pid: int, quiet: float = 3.0, limit: float = 30.0) -> float:
    """RSS once it has not grown for `quiet` seconds (start-up done), sampled twice a second."""
    started = last_growth = time.monotonic()
    peak = rss_mb(pid)
    while time.monotonic() - last_growth < quiet and time.monotonic() - started < limit:
        time.sleep(0.5)
        now = rss_mb(pid)
        if now > peak + 0.5:
            peak, last_growth = now, time.monotonic()
    return rss_mb(pid)


def under_load(pid: int, url: str, rate: float, seconds: float) -> tuple[float, str]:
    """Peak RSS while the generator runs; and what it reported (statuses, errors)."""
    command = [sys.executable, "-m", "benchmarks.openloop", "--url", url, "--secret", SECRET]
    command += ["--rate", str(rate), "--seconds", str(seconds), "--tag", f"mem-{time.time_ns()}"]
    load = subprocess.Popen(command, stdout=subprocess.PIPE)
    peak = 0.0
    while load.poll() is None:
        peak = max(peak, rss_mb(pid))
        time.sleep(0.2)
    out = (load.stdout.read() if load.stdout else b"").decode()
    summary = out.split('"latencies"')[0][:200]  # statuses and errors, not every latency
    return peak, summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="deliveries a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, bench(Path(folder)) as b:
        add_repo(b.world, REPO)  # the repository the deliveries name: dispatch reads its config
        pid = b.pids()[0]
        idle = settled(pid)
        peak, summary = under_load(pid, b.world.baton.url, args.rate, args.seconds)
        print(f"load generator: {summary}", flush=True)
        after = settled(pid, quiet=5.0, limit=120.0)
    rows = [
        {
            "process": "baton serve (SQLite)",
            "idle_rss_mb": idle,
            "load": f"{args.rate:g}/s for {args.seconds:g} s",
            "peak_rss_under_load_mb": peak,
            "rss_after_load_mb": after,
        }
    ]
    print(table(rows))
    if args.record:
        append("Memory of baton serve", rows, "RSS from /proc/PID/status (VmRSS).")


if __name__ == "__main__":
    main()
