"""Kill points: the writes a workflow made to GitHub, and the switch that kills Baton at one."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from tests.baton_process import BatonProcess
from tests.crash.constants import REPO_IN_PATH, When
from tests.fakes.github import FakeGitHub, Reply, Seen


def repo_of(path: str) -> str | None:
    found = REPO_IN_PATH.match(path)
    return found.group(1) if found else None


def is_write(seen: Seen) -> bool:
    """A request that changes GitHub; a new installation token changes nothing we look at."""
    if seen.method in ("GET", "HEAD"):
        return False
    return not (
        seen.path.startswith("/app/installations/") and seen.path.endswith("/access_tokens")
    )


def path_pattern(path: str, repo: str) -> str:
    """The path with what differs from run to run (repository, numbers, shas) named instead."""
    path = path.replace(f"/repos/{repo}/", "/repos/{repo}/", 1)
    path = re.sub(r"/[0-9a-f]{40}(?=/|$)", "/{sha}", path)
    return re.sub(r"/\d+(?=/|$)", "/{n}", path)


@dataclass(frozen=True)
class Write:
    method: str
    pattern: str

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}"


@dataclass(frozen=True)
class KillPoint:
    workflow: str
    nth: int  # the run's nth write to its repository, counted from 1
    write: Write
    when: When

    def __str__(self) -> str:
        return f"{self.workflow} #{self.nth} {self.write} ({self.when})"


def writes_to(github: FakeGitHub, repo: str) -> list[Write]:
    """The writes to `repo` GitHub has seen, in the order they arrived."""
    with github.lock:
        seen = sorted(github.requests, key=lambda s: s.at)
    return [Write(s.method, path_pattern(s.path, repo)) for s in seen if is_mine(s, repo)]


def is_mine(seen: Seen, repo: str) -> bool:
    return is_write(seen) and repo_of(seen.path) == repo


def kill_points(workflow: str, recording: list[Write]) -> list[KillPoint]:
    """Every write of a recorded run, each killed before GitHub applies it and after."""
    whens: tuple[When, ...] = ("before", "after")
    return [
        KillPoint(workflow, nth, write, when)
        for nth, write in enumerate(recording, start=1)
        for when in whens
    ]


# Killing Baton at a write ------------------------------------------------------------------


@dataclass
class Armed:
    """One repository's kill point, and the Baton process that serves it."""

    nth: int
    when: When
    baton: BatonProcess
    writes: int = 0
    target: Seen | None = None  # the write to kill after, once GitHub has applied it
    fired: threading.Event = field(default_factory=threading.Event)

    def fire(self) -> None:
        self.baton.kill()  # SIGKILL, from the fake's server thread: the request is in flight
        self.fired.set()


class KillSwitch:
    """Fake-GitHub hooks that kill a repository's Baton at its nth write, before or after."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.armed: dict[str, Armed] = {}

    def arm(self, repo: str, point: KillPoint, baton: BatonProcess) -> Armed:
        with self.lock:
            self.armed[repo] = Armed(point.nth, point.when, baton)
            return self.armed[repo]

    def disarm(self, repo: str) -> None:
        with self.lock:
            self.armed.pop(repo, None)

    def _nth_write(self, seen: Seen) -> Armed | None:
        repo = repo_of(seen.path)
        with self.lock:
            armed = self.armed.get(repo or "")
            if armed is None or armed.fired.is_set() or not is_write(seen):
                return None
            armed.writes += 1
            return armed if armed.writes == armed.nth else None

    def before(self, seen: Seen) -> Reply | None:
        armed = self._nth_write(seen)
        if armed is None:
            return None
        if armed.when == "after":
            armed.target = seen
            return None
        armed.fire()
        return Reply(502, {"message": "Bad Gateway"})  # nobody is left to read it

    def after(self, seen: Seen, reply: Reply) -> Reply | None:
        with self.lock:
            hit = [a for a in self.armed.values() if a.target is seen and not a.fired.is_set()]
        for armed in hit:
            armed.fire()
        return None


# The three workflows, as scenarios ---------------------------------------------------------
