"""Hooks that make the fake GitHub fail the way GitHub does: one fault at a time, or at a rate."""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from tests.fakes.github.router import DOCS, Reply
from tests.fakes.github.server import AfterHook, BeforeHook, Stall
from tests.fakes.github.state import Seen

if TYPE_CHECKING:
    from tests.fakes.github.fake import FakeGitHub

REASONS = {403: "Forbidden", 429: "Too Many Requests", 500: "Server Error", 502: "Bad Gateway"}
Kind = Literal["500", "502", "503", "timeout", "429", "secondary-403", "primary-403", "applied-502"]
KINDS: tuple[Kind, ...] = get_args(Kind)
RATE_LIMITS: frozenset[Kind] = frozenset({"429", "secondary-403", "primary-403"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# GitHub's own words (docs.github.com, "Rate limits for the REST API"; the request id varies).
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:FAKE."
)
PRIMARY = "API rate limit exceeded for installation."
RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"


class _Budget:
    """Counts down the requests a fault still applies to, across the server's threads."""

    def __init__(self, method: str, path_contains: str, times: int) -> None:
        self.method, self.path_contains, self.left = method, path_contains, times
        self.lock = threading.Lock()

    def take(self, seen: Seen) -> bool:
        if seen.method != self.method or self.path_contains not in seen.path:
            return False
        with self.lock:
            self.left -= 1
            return self.left >= 0


def _reply(
    status: int, headers: dict[str, str] | None, message: str = "", docs: str = DOCS
) -> Reply:
    message = message or REASONS.get(status, "Error")
    return Reply(status, {"message": message, "documentation_url": docs}, dict(headers or {}))


def fail(
    method: str,
    path_contains: str,
    status: int = 502,
    *,
    times: int = 1,
    headers: dict[str, str] | None = None,
    message: str = "",
) -> BeforeHook:
    """Answer the next `times` matching requests with `status` before anything is written."""
    budget = _Budget(method, path_contains, times)
    return lambda seen: _reply(status, headers, message) if budget.take(seen) else None


def fail_after(method: str, path_contains: str, status: int = 502, *, times: int = 1) -> AfterHook:
    """Let the next `times` matching requests take effect, then answer `status` anyway."""
    budget = _Budget(method, path_contains, times)
    return lambda seen, reply: _reply(status, None) if budget.take(seen) else None


def rate_limited(method: str, path_contains: str, retry_after: int = 0) -> BeforeHook:
    """A secondary rate limit: 429 with `retry-after` (seconds)."""
    return fail(method, path_contains, 429, headers={"retry-after": str(retry_after)})


def stall(method: str, path_contains: str, seconds: float, *, times: int = 1) -> BeforeHook:
    """Answer the next `times` matching requests (504, nothing written) only after `seconds`."""
    budget = _Budget(method, path_contains, times)
    return lambda seen: Stall(seconds, _reply(504, None)) if budget.take(seen) else None


def primary_limit(reset_in: int = 1) -> Reply:
    """The primary limit spent: 403, `x-ratelimit-remaining: 0`, reset `reset_in`-`reset_in+1`
    seconds ahead (GitHub gives the reset in whole epoch seconds)."""
    reset = math.ceil(time.time()) + reset_in
    headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0"}
    headers |= {"x-ratelimit-used": "5000", "x-ratelimit-reset": str(reset)}
    return _reply(403, headers, PRIMARY, RATE_DOCS)


@dataclass(frozen=True)
class Injected:
    """One fault the fake injected, and the request it answered."""

    kind: Kind
    seen: Seen
    wait: float | None = None  # seconds GitHub told the client to wait, for rate limits


@dataclass(frozen=True)
class Gap:
    """How long the client waited after a rate limit, against what it was asked."""

    injected: Injected
    asked: float
    waited: float | None  # None: the request was never sent again


def same_request(seen: Seen) -> tuple[str, str, str, str]:
    """What makes a retry "the same request": method, path, query and body (requests from
    concurrent runs to one path, say two check runs created, are told apart by their body)."""
    query = json.dumps(seen.query, sort_keys=True)
    return seen.method, seen.path, query, json.dumps(seen.json, sort_keys=True)


class Chaos:
    """Faults on `rate` of the requests, drawn from `kinds` with a seeded generator.

    `applied-502` lets a write happen and then answers 502; the other kinds answer before
    anything is written. The installation token exchange is spared unless `token_exchange`.
    Every fault is kept in `injected`; `gaps` measures how rate limits were honoured.
    """

    def __init__(
        self,
        rate: float,
        seed: int,
        kinds: Iterable[Kind] = KINDS,
        *,
        retry_after: int = 1,  # GitHub sends whole seconds, and githubkit reads only those
        reset_in: int = 1,
        stall_seconds: float = 2.0,
        token_exchange: bool = False,
    ) -> None:
        self.rate, self.kinds = rate, tuple(kinds)
        self.retry_after, self.reset_in, self.stall_seconds = retry_after, reset_in, stall_seconds
        self.token_exchange = token_exchange
        self.injected: list[Injected] = []
        self._random = random.Random(seed)
        self._applied_then_fail: set[int] = set()
        self._lock = threading.Lock()

    def install(self, fake: FakeGitHub) -> Chaos:
        fake.before_hooks.append(self.before)
        fake.after_hooks.append(self.after)
        return self

    def _draw(self, seen: Seen) -> Kind | None:
        if seen.path.endswith("/access_tokens") and not self.token_exchange:
            return None
        possible = [k for k in self.kinds if k != "applied-502" or seen.method in WRITES]
        with self._lock:
            if not possible or self._random.random() >= self.rate:
                return None
            return self._random.choice(possible)

    def before(self, seen: Seen) -> Reply | None:
        kind = self._draw(seen)
        if kind is None:
            return None
        if kind == "applied-502":
            with self._lock:
                self._applied_then_fail.add(id(seen))
            return None
        reply = self._reply(kind)
        self._record(kind, seen, self._asked_wait(kind, reply))
        return reply

    def after(self, seen: Seen, reply: Reply) -> Reply | None:
        with self._lock:
            chosen = id(seen) in self._applied_then_fail
            self._applied_then_fail.discard(id(seen))
        if not chosen or reply.status >= 300:
            return None  # a write GitHub refused happened no more than it would have
        self._record("applied-502", seen, None)
        return _reply(502, None)

    def _reply(self, kind: Kind) -> Reply:
        if kind == "timeout":
            return Stall(self.stall_seconds, _reply(504, None))
        if kind == "429":
            return _reply(429, {"retry-after": str(self.retry_after)})
        if kind == "secondary-403":
            return _reply(403, {"retry-after": str(self.retry_after)}, SECONDARY, RATE_DOCS)
        if kind == "primary-403":
            return primary_limit(self.reset_in)
        return _reply(int(kind), None)

    @staticmethod
    def _asked_wait(kind: Kind, reply: Reply) -> float | None:
        if kind not in RATE_LIMITS:
            return None
        if "retry-after" in reply.headers:
            return float(reply.headers["retry-after"])
        return float(reply.headers["x-ratelimit-reset"]) - time.time()

    def _record(self, kind: Kind, seen: Seen, wait: float | None) -> None:
        with self._lock:
            self.injected.append(Injected(kind, seen, wait))

    def counts(self) -> Counter[Kind]:
        with self._lock:
            return Counter(i.kind for i in self.injected)

    def gaps(
        self, requests: list[Seen], same: Callable[[Seen], Hashable] | None = None
    ) -> list[Gap]:
        """For each rate limit: the time until the same request (`same_request`, or what
        `same` says is the same) came again."""
        key = same or same_request
        with self._lock:
            limited = [i for i in self.injected if i.kind in RATE_LIMITS]
        arrivals: dict[Hashable, list[float]] = {}
        for seen in requests:
            arrivals.setdefault(key(seen), []).append(seen.at)
        found = []
        for fault in limited:
            later = [at for at in arrivals.get(key(fault.seen), []) if at > fault.seen.at]
            waited = min(later) - fault.seen.at if later else None
            found.append(Gap(fault, fault.wait or 0.0, waited))
        return found
