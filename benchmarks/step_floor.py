"""The floor under the engine benchmark: what one DBOS step costs here, with nothing in it.

A workflow of `--steps` async steps that return at once, run `--workflows` times one after the
other, on SQLite (a file in write-ahead-log mode with Baton's SQLite gate, as `baton serve`
runs) and on PostgreSQL; each setup in a process of its own. A review is ~25 such operations
(dispatch's steps, the run's steps and progress events, two write permits), so this times 25
is what the engine overhead cannot go under without recording fewer of them.
Usage: python -m benchmarks.step_floor [--steps 20] [--workflows 30] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from benchmarks.report import append, table

OPERATIONS_PER_REVIEW = 25  # counted in a review's timeline (docs/benchmarks.md)


def child(database_url: str, steps: int, workflows: int) -> dict[str, float]:
    """Run in its own process: DBOS is one per process."""
    from dbos import DBOS

    from bot.store import sqlite_gate

    sqlite_gate.install()
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA journal_mode=WAL")

    async def nothing(i: int) -> int:
        return i

    @DBOS.workflow(name="floor")
    async def floor(n: int) -> int:
        total = 0
        for i in range(n):
            total += await DBOS.run_step_async({"name": "nothing"}, nothing, i)
        return total

    DBOS(config={"name": "baton-floor", "system_database_url": database_url, "log_level": "ERROR"})
    DBOS.launch()
    took: list[float] = []

    async def run_all() -> None:
        await floor(steps)  # warm-up
        for _ in range(workflows):
            started = time.perf_counter()
            await floor(steps)
            took.append(time.perf_counter() - started)

    try:
        asyncio.run(run_all())
    finally:
        DBOS.destroy()
    per_step = [t / steps * 1000 for t in took]
    return {
        "per_step_p50_ms": round(statistics.median(per_step), 2),
        "per_step_max_ms": round(max(per_step), 2),
    }


def measure(database: str, args: argparse.Namespace) -> dict[str, object]:
    with ExitStack() as stack:
        if database == "sqlite":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = f"sqlite:///{folder / 'floor.sqlite'}"
        else:
            from tests.postgres import fresh_database

            url = stack.enter_context(fresh_database())
        command = [sys.executable, "-m", "benchmarks.step_floor", "--child", url]
        command += ["--steps", str(args.steps), "--workflows", str(args.workflows)]
        found = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    return {
        "database": database,
        "steps": args.steps,
        "workflows": args.workflows,
        **found,
        "x_25_operations_ms": round(found["per_step_p50_ms"] * OPERATIONS_PER_REVIEW, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--workflows", type=int, default=30)
    parser.add_argument("--databases", type=lambda t: t.split(","), default="sqlite,postgres")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.steps, args.workflows)))
        return
    rows = [measure(database, args) for database in args.databases]
    notes = (
        "A workflow of async steps that return at once, one after the other; DBOS 3.4 records "
        "each (a read for an earlier result, a write of this one, each on a thread). "
        f"x_25_operations_ms: the median times the ~{OPERATIONS_PER_REVIEW} recorded operations "
        "of one review, the floor under benchmarks/engine.py's overhead."
    )
    print(table(rows) + "\n\n" + notes)
    if args.record:
        append("DBOS step floor: one recorded step with nothing in it", rows, notes)


if __name__ == "__main__":
    main()
