"""When a failed GitHub request is worth sending again, and after how long."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import anyio
import httpx
from githubkit.exception import (
    GitHubException,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
)
from githubkit.retry import RetryOption

from bot.adapters.github_pause import RateLimitPause
from bot.ports.github import UNTIMED_RATE_LIMIT_SECONDS

T = TypeVar("T")

# A retried POST can double a comment or a review; these methods set state, so a repeat is
# harmless.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
UNTIMED_RATE_LIMIT_WAIT = timedelta(seconds=UNTIMED_RATE_LIMIT_SECONDS)


@dataclass(frozen=True)
class RequestRetries:
    """Retries in the request: server errors, lost answers, and short rate limits.

    A rate limit of up to `inline_wait` is waited out in the request (an async sleep that
    holds no thread; the installation's other requests wait with it): throwing the step away
    to re-run it would cost more requests than the second it saves, and no restart is that
    quick. A longer one (a primary limit's reset is up to an hour away) fails the call with
    the wait GitHub asked for, and the engine sleeps it durably (`bot/engine/durable.py`: a
    DBOS sleep, which a restart resumes) before running the step again.
    """

    max_retries: int = 3
    backoff: timedelta = timedelta(seconds=1)  # doubled on each retry of a server error
    inline_wait: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request, pulled out of githubkit's exception."""

    method: str
    path: str
    status: int | None = None  # None: no response at all
    rate_limit_wait: timedelta | None = None  # set when GitHub said "rate limited"
    connect_failed: bool = False  # the request never reached GitHub


# POSTs that may be sent again, by path, and what a repeat does.
SAFE_POSTS = re.compile(
    r"/access_tokens$"  # another installation token
    r"|/git/(blobs|trees)$"  # named by their content: the same object again
    r"|/git/commits$"  # a second commit that nothing points at; only the branch counts
    r"|/git/refs$"  # 422 "Reference already exists", which the adapter takes as made
    r"|/reactions$"  # 200 with the reaction that is already there
    r"|/sub_issues$"  # 422 for a link that exists, which the adapter checks
    r"|/graphql$"  # a query: Baton sends GraphQL no mutations
)


def _safe_to_repeat(failure: Failure) -> bool:
    return failure.method.upper() in IDEMPOTENT_METHODS or bool(SAFE_POSTS.search(failure.path))


def retry_delay(
    failure: Failure, retries_so_far: int, policy: RequestRetries, *, safe: bool = False
) -> timedelta | None:
    """The wait before sending the request again, or None to give up (and for a rate limit
    longer than `policy.inline_wait`, which the engine sleeps off); `safe`: the caller knows
    the request may be repeated, whatever its method."""
    if retries_so_far >= policy.max_retries:
        return None
    if failure.rate_limit_wait is not None:
        wait = max(failure.rate_limit_wait, timedelta())
        return wait if wait <= policy.inline_wait else None
    backoff = policy.backoff * (1 << retries_so_far)  # 1, 2, 4… times the base
    if failure.connect_failed:
        return backoff
    if not (safe or _safe_to_repeat(failure)):
        return None
    if failure.status is None or failure.status >= 500:
        return backoff
    return None


def rate_limit_wait(exc: RequestFailed) -> timedelta | None:
    """How long GitHub asked us to wait, or None when the failure is no rate limit.

    githubkit 0.16 knows a limit by `retry-after`, or by `x-ratelimit-remaining: 0` (then
    waiting until `x-ratelimit-reset`). GitHub also answers a secondary limit with a bare 403
    or 429 that only says so in its message; that is a limit too, of no stated length.
    """
    if isinstance(exc, RateLimitExceeded):
        return exc.retry_after
    status = exc.response.status_code
    if status == 429 or (status == 403 and "rate limit" in exc.response.text.lower()):
        return UNTIMED_RATE_LIMIT_WAIT
    return None


def describe(exc: GitHubException) -> Failure | None:
    """The Failure behind a githubkit exception; None for errors that are not about a request."""
    if isinstance(exc, RequestFailed):
        request = exc.request
        wait = rate_limit_wait(exc)
        return Failure(request.method, request.url.path, exc.response.status_code, wait)
    if isinstance(exc, RequestError) and isinstance(exc.exc, RequestFailed):
        return describe(exc.exc)  # the token exchange failed inside githubkit's auth flow
    if isinstance(exc, RequestError) and isinstance(exc.exc, httpx.RequestError):
        request = exc.exc.request
        connect = isinstance(exc.exc, httpx.ConnectError | httpx.ConnectTimeout)
        return Failure(request.method, request.url.path, connect_failed=connect)
    return None


class RetryDecision:
    """githubkit's `auto_retry` hook, deciding with `retry_delay`; a rate limit also pauses
    the client's other requests (`pause`, the client's throttler) for as long as GitHub said."""

    def __init__(
        self, policy: RequestRetries | None = None, pause: RateLimitPause | None = None
    ) -> None:
        self.policy = policy or RequestRetries()
        self.pause = pause
        if pause is not None:
            pause.inline_wait = self.policy.inline_wait.total_seconds()

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        failure = describe(exc)
        if failure is not None and failure.rate_limit_wait is not None and self.pause is not None:
            self.pause.pause(failure.rate_limit_wait)
        delay = None if failure is None else retry_delay(failure, retry_count, self.policy)
        if delay is None:
            return RetryOption(False)
        # githubkit sleeps 60 s when handed a zero (falsy) delay.
        return RetryOption(True, max(delay, timedelta(microseconds=1)))


async def send_once(
    send: Callable[[], Awaitable[T]],
    find: Callable[[], Awaitable[T | None]],
    policy: RequestRetries,
) -> T:
    """Send a write that GitHub would make twice (a comment, a review, an issue). When its
    answer is lost, a 5xx or none at all, the write may have landed all the same: wait, look
    for it with `find`, and send it again only when it is not there."""
    retries = 0
    while True:
        try:
            return await send()
        except GitHubException as exc:
            failure = describe(exc)
            delay = None if failure is None else retry_delay(failure, retries, policy, safe=True)
            if delay is None:
                raise
        await anyio.sleep(delay.total_seconds())
        found = await find()
        if found is not None:
            return found
        retries += 1
