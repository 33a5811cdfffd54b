"""Wrong admin tokens are logged and limited per client address: a few a minute, then a wait.

The limit counts the sign-in form's and bearer tokens' failures (run pages and API alike) in
this process's memory: each process of a deployment keeps its own count, and a restart forgets
it. While an address waits, every token it sends is refused with 429 unchecked, the right one
too, so a guesser learns nothing. Everyone behind one proxy shares its address, so an attacker
there also makes the admins wait: a wait ends at most a minute after the failures that caused
it, to bound that, and session cookies, which cannot be guessed, still open the pages meanwhile.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from bot.web.pages_auth import same

log = logging.getLogger("baton.sign_in")

FAILURES = 5  # wrong tokens from one address ...
WINDOW_SECONDS = 60.0  # ... within this long, and its next tokens wait
MAX_ADDRESSES = 10_000  # addresses remembered at once; the longest-known is forgotten first


class TooMany(Exception):
    """The client's address must wait `seconds` before its next token is looked at."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def message(self) -> str:
        return (
            f"too many wrong admin tokens from your address ({FAILURES} within "
            f"{WINDOW_SECONDS:g} s): try again in {self.seconds} s"
        )


@dataclass(frozen=True)
class Counted:
    """What one token did to its address's count."""

    wait: int = 0  # > 0: the token was refused unchecked; the address waits this many seconds
    failures: int = 0  # the address's wrong tokens within the window, this one included


class FailureWindow:
    """The failures of each address within the window, and how long each must still wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        # FastAPI runs plain `def` dependencies on threads: the look and the count are one step,
        # so a burst of concurrent guesses cannot all pass the look before any is counted.
        self._lock = threading.Lock()

    def count(self, address: str, right: bool) -> Counted:
        """Count a token from `address` that was the admin token (`right`) or not."""
        with self._lock:
            now = self._clock()
            recent = self._recent(address, now)
            if recent is not None and len(recent) >= FAILURES:
                return Counted(wait=max(1, math.ceil(recent[0] + WINDOW_SECONDS - now)))
            if right:
                return Counted()
            if recent is None:
                self._forget_the_oldest()
                recent = self._failures[address] = deque(maxlen=FAILURES)
            recent.append(now)
            return Counted(failures=len(recent))

    def _recent(self, address: str, now: float) -> deque[float] | None:
        recent = self._failures.get(address)
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        if recent is not None and not recent:
            del self._failures[address]
            return None
        return recent

    def _forget_the_oldest(self) -> None:
        while len(self._failures) >= MAX_ADDRESSES:
            del self._failures[next(iter(self._failures))]


_creating = threading.Lock()


def window_of(request: Request) -> FailureWindow:
    """The process's window, kept on the app (built on first use)."""
    with _creating:
        found: FailureWindow | None = getattr(request.app.state, "sign_in_failures", None)
        if found is None:
            found = request.app.state.sign_in_failures = FailureWindow()
    return found


def client_address(request: Request) -> str:
    """The connection's peer: behind a proxy uvicorn trusts (FORWARDED_ALLOW_IPS, loopback by
    default), the client its X-Forwarded-For names; behind any other, the proxy."""
    return request.client.host if request.client is not None else "unknown"


def admin_token_given(request: Request, given: str, secret: str, where: str) -> bool:
    """Whether `given` is the admin token. A wrong one is logged (never the token itself) and
    counted against the client's address; raises TooMany, unchecked, while the address waits."""
    address = client_address(request)
    counted = window_of(request).count(address, right=same(given, secret))
    if counted.wait:
        raise TooMany(counted.wait)
    if not counted.failures:
        return True
    log.warning("wrong admin token from %s (%s)", address, where, extra={"client": address})
    if counted.failures == FAILURES:
        log.warning(
            "%d wrong admin tokens from %s within %g s: its tokens are refused for up to %g s",
            FAILURES, address, WINDOW_SECONDS, WINDOW_SECONDS, extra={"client": address},
        )  # fmt: skip
    return False
