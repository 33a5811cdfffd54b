"""Holds every request of one GitHub client while GitHub's rate limit on it lasts."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import anyio
import httpx
from githubkit.throttling import BaseThrottler, LocalThrottler

# GitHub refuses more than 100 concurrent requests (a secondary limit); githubkit's default.
MAX_CONCURRENT_REQUESTS = 100


class RateLimitPause(BaseThrottler):
    """githubkit's `throttler`: a request waits out the pause, then takes one of 100 slots.

    GitHub's limits hold for the installation, not for the one request that was told about
    them: its docs ask clients to stop making requests until `retry-after` (or
    `x-ratelimit-reset`) is past, and warn that carrying on can get the App banned. githubkit
    retries only the request that was refused, while Baton's other runs keep asking.
    """

    def __init__(self, max_concurrency: int = MAX_CONCURRENT_REQUESTS) -> None:
        self._slots = LocalThrottler(max_concurrency)
        self._resume_at = 0.0  # time.monotonic()

    def pause(self, wait: timedelta) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + wait.total_seconds())

    def remaining(self) -> float:
        return max(self._resume_at - time.monotonic(), 0.0)

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        while (wait := self.remaining()) > 0:
            time.sleep(wait)
        with self._slots.acquire(request):
            yield

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        while (wait := self.remaining()) > 0:
            await anyio.sleep(wait)
        async with self._slots.async_acquire(request):
            yield
