"""A burst of signed deliveries against `baton serve` on SQLite: every one stored and dispatched
once; throughput and ack latency. Usage: python -m benchmarks.burst [--count 10000]"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from dbos import DBOSClient

from benchmarks.report import append
from tests.e2e.conftest import INSTALLATION, REPO, SECRET, running_world
from tests.e2e.test_load_e2e import chatter
from tests.loadgen import send_all


def dispatched_count(database_url: str) -> tuple[int, int]:
    client = DBOSClient(system_database_url=database_url)
    try:
        found = client.list_workflows(name="baton.dispatch", load_input=False, load_output=False)
    finally:
        client.destroy()
    return len(found), sum(1 for status in found if status.status == "SUCCESS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, running_world(Path(folder)) as world:
        world.github.add_repo(REPO, installation_id=INSTALLATION)
        items = [chatter(n % 50 + 1, f"bench-{n}") for n in range(args.count)]
        result = asyncio.run(send_all(world.baton.url, SECRET, items, args.concurrency))
        started = time.monotonic()
        total, done = 0, 0
        while time.monotonic() - started < 900:
            total, done = dispatched_count(world.baton.env["DATABASE_URL"])
            if done >= args.count:
                break
            time.sleep(1)
        drained = time.monotonic() - started
    row = {
        **result.summary(),
        "stored": total,
        "dispatched": done,
        "drain_s_after_last_ack": round(drained, 1),
    }
    print(append(f"Burst of {args.count} deliveries", [row]))


if __name__ == "__main__":
    main()
