"""When a failed GitHub request is worth sending again, and after how long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
from githubkit.exception import (
    GitHubException,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
)
from githubkit.retry import RetryOption

# A retried POST can double a comment or a review; these methods set state, so a repeat is
# harmless.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff: timedelta = timedelta(seconds=1)  # doubled on each retry of a server error
    max_wait: timedelta = timedelta(seconds=60)  # a longer rate-limit wait fails the call


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request, pulled out of githubkit's exception."""

    method: str
    path: str
    status: int | None = None  # None: no response at all
    rate_limit_wait: timedelta | None = None  # set when GitHub said "rate limited"
    connect_failed: bool = False  # the request never reached GitHub


def _safe_to_repeat(failure: Failure) -> bool:
    # Minting another installation token is harmless, though it is a POST.
    return failure.method.upper() in IDEMPOTENT_METHODS or failure.path.endswith("/access_tokens")


def retry_delay(failure: Failure, retries_so_far: int, policy: RetryPolicy) -> timedelta | None:
    """The wait before sending the request again, or None to give up."""
    if retries_so_far >= policy.max_retries:
        return None
    if failure.rate_limit_wait is not None:
        wait = max(failure.rate_limit_wait, timedelta())
        return wait if wait <= policy.max_wait else None
    backoff = policy.backoff * (1 << retries_so_far)  # 1, 2, 4… times the base
    if failure.connect_failed:
        return backoff
    if not _safe_to_repeat(failure):
        return None
    if failure.status is None or failure.status >= 500:
        return backoff
    return None


def describe(exc: GitHubException) -> Failure | None:
    """The Failure behind a githubkit exception; None for errors that are not about a request."""
    if isinstance(exc, RequestFailed):
        request = exc.request
        wait = exc.retry_after if isinstance(exc, RateLimitExceeded) else None
        return Failure(request.method, request.url.path, exc.response.status_code, wait)
    if isinstance(exc, RequestError) and isinstance(exc.exc, RequestFailed):
        return describe(exc.exc)  # the token exchange failed inside githubkit's auth flow
    if isinstance(exc, RequestError) and isinstance(exc.exc, httpx.RequestError):
        request = exc.exc.request
        connect = isinstance(exc.exc, httpx.ConnectError | httpx.ConnectTimeout)
        return Failure(request.method, request.url.path, connect_failed=connect)
    return None


class RetryDecision:
    """githubkit's `auto_retry` hook, deciding with `retry_delay`."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        failure = describe(exc)
        delay = None if failure is None else retry_delay(failure, retry_count, self.policy)
        if delay is None:
            return RetryOption(False)
        # githubkit sleeps 60 s when handed a zero (falsy) delay.
        return RetryOption(True, max(delay, timedelta(microseconds=1)))
