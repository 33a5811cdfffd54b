"""Ready-made hooks that make the fake GitHub fail the way GitHub does."""

from __future__ import annotations

import threading

from tests.fakes.github.router import DOCS, Reply
from tests.fakes.github.server import AfterHook, BeforeHook
from tests.fakes.github.state import Seen

REASONS = {403: "Forbidden", 429: "Too Many Requests", 500: "Server Error", 502: "Bad Gateway"}


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


def _reply(status: int, headers: dict[str, str] | None) -> Reply:
    message = REASONS.get(status, "Error")
    return Reply(status, {"message": message, "documentation_url": DOCS}, dict(headers or {}))


def fail(
    method: str,
    path_contains: str,
    status: int = 502,
    *,
    times: int = 1,
    headers: dict[str, str] | None = None,
) -> BeforeHook:
    """Answer the next `times` matching requests with `status` before anything is written."""
    budget = _Budget(method, path_contains, times)
    return lambda seen: _reply(status, headers) if budget.take(seen) else None


def fail_after(method: str, path_contains: str, status: int = 502, *, times: int = 1) -> AfterHook:
    """Let the next `times` matching requests take effect, then answer `status` anyway."""
    budget = _Budget(method, path_contains, times)
    return lambda seen, reply: _reply(status, None) if budget.take(seen) else None


def rate_limited(method: str, path_contains: str, retry_after: int = 0) -> BeforeHook:
    """A secondary rate limit: 429 with `retry-after` (seconds)."""
    return fail(method, path_contains, 429, headers={"retry-after": str(retry_after)})
