"""Engine overhead: the review workflow (pr.diff → review.checks → review.llm → review.publish)
from a signed `pull_request.opened` to its finished check run, against the fake GitHub and a
scripted LLM that answers at once; on SQLite and PostgreSQL with extra `baton worker`s.

Latency is measured one review at a time, each after a random pause of 0-0.4 s (seeded), so
deliveries land at random points of the queues' poll cycles as real ones do rather than always
at the same one; throughput by opening `--burst` pulls at once.
Engine overhead = end-to-end time - time in the fakes: each GitHub request's handler time, plus
per request the loopback HTTP round trip of a request the fake answers at once, plus per LLM
call the round trip of that call replayed.
Usage: python -m benchmarks.engine [--reviews 50] [--burst 100]
       [--setups sqlite:0,postgres:1,postgres:2] [--record]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from dbos import DBOSClient

from benchmarks.report import append, table
from benchmarks.world import (
    Bench,
    add_repo,
    bench,
    changed_app,
    median_ms,
    ms,
    one_finding,
    opened,
    percentile,
)

REPO = "octo/engine"
PAUSE_SECONDS = 0.4  # at most, before each sequential review: longer than any poll interval


@dataclass
class Sample:
    e2e: float  # delivery sent → check run completed
    review: float  # delivery sent → review posted
    fakes: float  # time spent in the fakes
    calls: int  # GitHub requests


def round_trip(send: Any, times: int = 50) -> float:
    took = []
    for _ in range(times):
        started = time.perf_counter()
        send()
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def fake_floors(b: Bench) -> tuple[float, float]:
    """(a GitHub request the fake answers at once, the LLM's answer to a review call)."""
    body = b.world.llm.requests[-1].body
    with httpx.Client(timeout=10) as client:
        github = round_trip(lambda: client.get(f"{b.github.base_url}/benchmark-floor"))
        llm = round_trip(lambda: client.post(f"{b.world.llm.base_url}/chat/completions", json=body))
    return github, llm


def review_once(b: Bench, number: int) -> tuple[float, float, float, int, int, str]:
    head = b.github.add_pull(REPO, number=number, head_files=changed_app(number))
    llm_before = len(b.world.llm.requests)
    started = time.monotonic()
    b.send("pull_request", opened(REPO, number, head))
    b.timeline.wait(lambda: head in b.timeline.completed, 120, f"the review of #{number}")
    done = b.timeline.completed[head]
    requests = b.timeline.between(started, done)
    handled = sum(r.took for r in requests)
    llm_calls = len(b.world.llm.requests) - llm_before
    review = b.timeline.reviewed[(REPO, number)] - started
    return done - started, review, handled, len(requests), llm_calls, head


def paused_review(
    b: Bench, number: int, pauses: random.Random
) -> tuple[float, float, float, int, int, str]:
    time.sleep(pauses.uniform(0, PAUSE_SECONDS))
    return review_once(b, number)


def first_reviews(b: Bench) -> set[str]:
    """The head of the first review each Baton process (serve, a worker) ran."""
    client = DBOSClient(system_database_url=b.world.baton.env["DATABASE_URL"])
    try:
        runs = client.list_workflows(name="baton.run", load_output=False)
    finally:
        client.destroy()
    first: dict[str, tuple[int, str]] = {}
    for run in runs:
        plan = run.input["args"][0] if run.input else {}
        head = str(plan.get("run", {}).get("head_sha", ""))
        seen = first.get(run.executor_id or "")
        if seen is None or (run.created_at or 0) < seen[0]:
            first[run.executor_id or ""] = (run.created_at or 0, head)
    return {head for _, head in first.values()}


def sequential(b: Bench, count: int, warmup: int = 3) -> tuple[list[Sample], list[float]]:
    """`count` reviews measured, and the end-to-end times of the reviews left out as cold: a
    process's first review also pays for its first use of githubkit's and the OpenAI SDK's
    models and its installation token (~0.8 s), which is start-up, not the engine. The first
    `warmup` go to whichever process claims them (mostly `baton serve`); a worker's first may
    come at any point, and is replaced by one review more."""
    pauses = random.Random(7)
    raw = [paused_review(b, n, pauses) for n in range(1, warmup + count + 1)]
    cold = first_reviews(b)
    while sum(r[-1] not in cold for r in raw[warmup:]) < count:
        raw.append(paused_review(b, len(raw) + 1, pauses))
        cold = first_reviews(b)
    kept = [r for r in raw[warmup:] if r[-1] not in cold]
    github, llm = fake_floors(b)
    samples = [
        Sample(e2e, rev, handled + calls * github + llm_calls * llm, calls)
        for e2e, rev, handled, calls, llm_calls, _ in kept
    ]
    return samples, [r[0] for r in raw[warmup:] if r[-1] in cold]


def burst(b: Bench, count: int, first: int) -> float:
    """Open `count` pulls at once (8 senders); runs finished per second."""
    numbers = range(first, first + count)
    heads = {n: b.github.add_pull(REPO, number=n, head_files=changed_app(n)) for n in numbers}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: b.send("pull_request", opened(REPO, n, heads[n])), numbers))
    done = b.timeline.completed
    b.timeline.wait(lambda: all(h in done for h in heads.values()), 900, f"{count} reviews")
    return count / (max(done[h] for h in heads.values()) - started)


def measure(database: str, workers: int, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, bench(Path(folder), database, workers) as b:
        add_repo(b.world, REPO)
        b.world.llm.respond_with(one_finding())
        samples, cold = sequential(b, args.reviews)
        per_second = burst(b, args.burst, 1000) if args.burst else 0.0
    overhead = [s.e2e - s.fakes for s in samples]
    setup = "SQLite, serve" if database == "sqlite" else "PostgreSQL, serve"
    return {
        "setup": setup + (f" + {workers} worker(s)" if workers else ""),
        "reviews": len(samples),
        "e2e_p50_ms": median_ms([s.e2e for s in samples]),
        "e2e_p99_ms": ms(percentile([s.e2e for s in samples], 0.99)),
        "review_posted_p50_ms": median_ms([s.review for s in samples]),
        "github_calls": round(statistics.median([s.calls for s in samples])),
        "in_fakes_p50_ms": median_ms([s.fakes for s in samples]),
        "overhead_p50_ms": median_ms(overhead),
        "overhead_p99_ms": ms(percentile(overhead, 0.99)),
        "left_out_cold_ms": ", ".join(str(ms(e2e)) for e2e in cold) or "none",
        "burst": args.burst,
        "runs_per_s": round(per_second, 1),
    }


def setups(text: str) -> list[tuple[str, int]]:
    found = []
    for item in text.split(","):
        database, _, workers = item.partition(":")
        if database not in ("sqlite", "postgres") or (
            database == "sqlite" and workers not in ("", "0")
        ):
            raise argparse.ArgumentTypeError(
                f"{item!r}: sqlite[:0] or postgres:N (N extra workers)"
            )
        found.append((database, int(workers or 0)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reviews", type=int, default=50, help="one at a time, for latency")
    parser.add_argument("--burst", type=int, default=100, help="opened at once, for throughput")
    parser.add_argument("--setups", type=setups, default=setups("sqlite:0,postgres:1,postgres:2"))
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    rows = []
    for database, workers in args.setups:
        rows.append(measure(database, workers, args))
        print(rows[-1], flush=True)
    notes = (
        "BATON_DEBOUNCE_SECONDS=0 and BATON_CONTENT_WRITES_LIMIT=1000000: GitHub's pace of 80 "
        "content writes a minute would otherwise be the throughput. Queue polling at the defaults "
        "(0.2 s, writes 0.1 s); work a process queues itself it claims at once "
        "(bot/engine/claim.py). Deliveries are sent on one kept connection. in_fakes = handler "
        "time of each GitHub request + a loopback round trip per request + the LLM call's round "
        "trip; overhead = e2e - in_fakes. "
        f"Each sequential review starts after a random 0-{PAUSE_SECONDS} s pause (seeded), so "
        "deliveries land at random points of the poll cycles. left_out_cold: the end-to-end "
        "times of a worker's first review when it fell among the measured ones (a process's "
        "first review also pays for its first use of githubkit's and the OpenAI SDK's models "
        "and its installation token); each is replaced by one review more."
    )
    print(table(rows))
    if args.record:
        append(
            "Engine overhead: one review, delivery to finished check run", rows, notes
        )


if __name__ == "__main__":
    main()
