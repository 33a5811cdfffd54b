"""Holds back every request of one GitHub client while GitHub's rate limit on it lasts."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import anyio
import httpx
from githubkit.throttling import BaseThrottler, LocalThrottler

from bot.ports.github import GitHubError

# GitHub refuses more than 100 concurrent requests (a secondary limit); githubkit's default.
MAX_CONCURRENT_REQUESTS = 100


class RateLimitPause(BaseThrottler):
    """githubkit's `throttler`: a request waits out a short pause (an async sleep), then
    takes one of 100 slots; during a long pause it is not sent at all and fails with the
    time left.

    GitHub's limits hold for the installation, not for the one request that was told about
    them: its docs ask clients to stop making requests until `retry-after` (or
    `x-ratelimit-reset`) is past, and warn that carrying on can get the App banned. A call
    refused for a long pause carries the wait in `GitHubError.retry_after`, and the engine
    waits it out with a durable sleep rather than holding a task here for minutes.
    """

    def __init__(self, max_concurrency: int = MAX_CONCURRENT_REQUESTS) -> None:
        self._slots = LocalThrottler(max_concurrency)
        self._resume_at = 0.0  # time.monotonic()
        self.inline_wait = 0.0  # seconds; a pause no longer than this is waited out here

    def pause(self, wait: timedelta) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + wait.total_seconds())

    def remaining(self) -> float:
        return max(self._resume_at - time.monotonic(), 0.0)

    def _refuse_a_long_pause(self, request: httpx.Request) -> None:
        wait = self.remaining()
        if wait > self.inline_wait:
            raise GitHubError(
                429,
                f"{request.method} {request.url.path} not sent: GitHub rate-limited this "
                f"installation for another {wait:.1f} s",
                retry_after=wait,
            )

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        while (wait := self.remaining()) > 0:
            self._refuse_a_long_pause(request)
            time.sleep(wait)
        with self._slots.acquire(request):
            yield

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        while (wait := self.remaining()) > 0:
            self._refuse_a_long_pause(request)
            await anyio.sleep(wait)
        async with self._slots.async_acquire(request):
            yield
