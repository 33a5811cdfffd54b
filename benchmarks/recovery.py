"""Recovery: `--runs` reviews in flight (each parked in `review.llm` on a slow scripted LLM),
`baton serve` killed with SIGKILL, started again; the time from the restart until it answers,
until every run has resumed (asked the LLM again), and until every run has finished.
Usage: python -m benchmarks.recovery [--runs 100] [--database sqlite|postgres] [--record]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.report import append, table
from benchmarks.world import Bench, add_repo, bench, changed_app, one_finding, opened
from tests.fakes.llm import FakeAnswer

REPO = "octo/recovery"
PARKED = 90.0  # seconds the LLM holds each first request: longer than the whole set-up


def park(b: Bench, runs: int) -> dict[int, str]:
    """Open `runs` pulls and wait until every review is waiting on the LLM."""
    slow = one_finding()
    b.world.llm.respond_with(lambda body: FakeAnswer(text=slow(body), delay=PARKED))
    heads = {
        n: b.github.add_pull(REPO, number=n, head_files=changed_app(n)) for n in range(1, runs + 1)
    }
    for number, head in heads.items():
        b.send("pull_request", opened(REPO, number, head))
    deadline = time.monotonic() + 600
    while len(b.world.llm.requests) < runs:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(b.world.llm.requests)} of {runs} runs reached the LLM")
        time.sleep(0.2)
    return heads


def restart(b: Bench, heads: dict[int, str]) -> dict[str, object]:
    b.world.baton.kill()
    asked_before = len(b.world.llm.requests)
    b.world.llm.respond_with(one_finding())
    started = time.monotonic()
    b.world.baton.spawn()
    b.world.baton.wait_ready(timeout=120)
    answering = time.monotonic() - started
    while len(b.world.llm.requests) - asked_before < len(heads):
        if time.monotonic() - started > 600:
            raise TimeoutError("the runs did not all resume within 10 minutes")
        time.sleep(0.05)
    resumed = time.monotonic() - started
    done = b.timeline.completed
    b.timeline.wait(lambda: all(h in done for h in heads.values()), 600, "every run to finish")
    finished = max(done[h] for h in heads.values()) - started
    return {
        "database": b.database,
        "runs_in_flight": len(heads),
        "restart_to_answering_s": round(answering, 2),
        "restart_to_all_resumed_s": round(resumed, 2),
        "restart_to_all_finished_s": round(finished, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, bench(Path(folder), args.database) as b:
        add_repo(b.world, REPO)
        heads = park(b, args.runs)
        rows = [restart(b, heads)]
    print(table(rows))
    notes = "Resumed: the run asked the scripted LLM again (its step restarted from its start)."
    if args.record:
        append("Recovery after SIGKILL", rows, notes)


if __name__ == "__main__":
    main()
