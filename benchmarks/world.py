"""What the engine, calls, memory and recovery benchmarks share: the fakes and Baton as real
processes on loopback (SQLite, or a fresh PostgreSQL database with extra `baton worker`s), a
timeline of the fake GitHub's requests, and the reference pull requests."""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.baton_process import WorkerProcess, post_webhook
from tests.e2e.conftest import INSTALLATION, SECRET, World, pr_event, running_world
from tests.fakes.github.router import Reply
from tests.fakes.github.state import Seen
from tests.postgres import fresh_database

# Pacing content writes at GitHub's 80 a minute would make any throughput figure 80 reviews a
# minute; the benchmarks lift it (and say so) to measure the engine, not the limiter.
FAST = {"BATON_DEBOUNCE_SECONDS": "0", "BATON_CONTENT_WRITES_LIMIT": "1000000"}
APP = "".join(f"value_{n} = compute({n})\n" for n in range(1, 41))


@dataclass
class Request:
    """One request the fake GitHub answered, with when it arrived and when its answer was ready."""

    seen: Seen
    done: float  # time.monotonic(), the handler's answer ready (before serialising it)

    @property
    def took(self) -> float:
        return self.done - self.seen.at

    @property
    def kind(self) -> str:
        """`METHOD /route` with numbers and shas folded, to count calls by kind."""
        parts = [
            "N" if p.isdigit() else "SHA" if len(p) == 40 else p for p in self.seen.path.split("/")
        ]
        route = parts[4:] if parts[1:2] == ["repos"] else parts[1:]
        return f"{self.seen.method} {'/'.join(route)}"


@dataclass
class Timeline:
    """The fake GitHub's requests as they end, and when each head's check run completed and
    each pull got its review: the moments the benchmarks wait for."""

    requests: list[Request] = field(default_factory=list)
    completed: dict[str, float] = field(default_factory=dict)  # head sha → time
    reviewed: dict[tuple[str, int], float] = field(default_factory=dict)  # (repo, pull) → time
    changed: threading.Condition = field(default_factory=threading.Condition)

    def hook(self, seen: Seen, reply: Reply) -> None:
        now = time.monotonic()
        with self.changed:
            self.requests.append(Request(seen, now))
            body = reply.body if isinstance(reply.body, dict) else {}
            if "/check-runs" in seen.path and body.get("status") == "completed":
                self.completed.setdefault(str(body.get("head_sha")), now)
            if seen.method == "POST" and seen.path.endswith("/reviews") and reply.status < 300:
                repo = "/".join(seen.path.split("/")[2:4])
                self.reviewed.setdefault((repo, int(seen.path.split("/")[5])), now)
            self.changed.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        with self.changed:
            if not self.changed.wait_for(condition, timeout):
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")

    def between(self, start: float, end: float) -> list[Request]:
        with self.changed:
            return [r for r in self.requests if r.seen.at >= start and r.done <= end]


@dataclass
class Bench:
    world: World
    timeline: Timeline
    workers: list[WorkerProcess]
    database: str
    client: httpx.Client  # GitHub keeps its connections too: a new client per delivery is ~20 ms

    def send(self, event: str, payload: dict[str, Any]) -> None:
        """A signed delivery, as GitHub sends it; raises unless it is accepted."""
        body = json.dumps(payload).encode()
        url = self.world.baton.url
        sent = post_webhook(url, event, body, SECRET, str(uuid.uuid4()), client=self.client)
        sent.raise_for_status()

    @property
    def github(self) -> Any:
        return self.world.github

    def pids(self) -> list[int]:
        processes = [self.world.baton, *self.workers]
        return [p.proc.pid for p in processes if p.proc is not None]


@contextmanager
def bench(workdir: Path, database: str = "sqlite", workers: int = 0, **env: str) -> Iterator[Bench]:
    """The fakes, `baton serve` and `workers` extra `baton worker`s (PostgreSQL only)."""
    with ExitStack() as stack:
        if database == "postgres":
            env = {"DATABASE_URL": stack.enter_context(fresh_database()), **env}
        world = stack.enter_context(running_world(workdir, **{**FAST, **env}))
        timeline = Timeline()
        world.github.after_hooks.append(timeline.hook)
        extra = [
            WorkerProcess(world.baton.env, workdir, workdir / f"w{n}.log", f"w{n}")
            for n in range(1, workers + 1)
        ]
        for worker in extra:
            stack.callback(worker.stop)
            worker.spawn()
        for worker in extra:
            worker.wait_ready(timeout=60)
        client = stack.enter_context(httpx.Client())
        yield Bench(world, timeline, extra, database, client)


def add_repo(world: World, repo: str, files: dict[str, str] | None = None) -> None:
    world.github.add_repo(repo, installation_id=INSTALLATION, files=files or {"src/app.py": APP})


def changed_app(number: int) -> dict[str, str]:
    """A one-file change of three lines, different per pull so every head differs."""
    lines = APP.splitlines(keepends=True)
    lines[2:5] = [f"value_3 = compute({number}) + {n}\n" for n in range(3)]
    return {"src/app.py": "".join(lines)}


def one_finding(path: str = "src/app.py", line: int = 3) -> Callable[[dict[str, Any]], Any]:
    """The scripted LLM's answer: at once, one finding on a changed line (so a review posts)."""
    found = {
        "path": path,
        "line": line,
        "side": "RIGHT",
        "severity": "major",
        "title": "Possible crash",
        "body": "This can crash.",
    }
    return lambda request: {"summary": "Changes a computation.", "findings": [found]}


def opened(repo: str, number: int, head: str) -> dict[str, Any]:
    owner, name = repo.split("/")
    return pr_event(
        "opened",
        number,
        head,
        **{
            "repository.full_name": repo,
            "repository.name": name,
            "repository.owner.login": owner,
        },
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def median_ms(values: list[float]) -> float:
    return ms(statistics.median(values)) if values else 0.0


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
