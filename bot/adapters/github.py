"""The GitHub port over githubkit: App installations or a personal token, with explicit retries."""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy

from bot.adapters.github_branches import GitHubBranches
from bot.adapters.github_core import CommentIds
from bot.adapters.github_errors import raises_port_errors
from bot.adapters.github_issues import GitHubIssues
from bot.adapters.github_pause import RateLimitPause
from bot.adapters.github_reads import GitHubReads
from bot.adapters.github_retry import RequestRetries, RetryDecision
from bot.adapters.github_writes import GitHubWrites
from bot.ops.metrics import rate_limit_hooks

DEFAULT_API_URL = "https://api.github.com"
REQUEST_TIMEOUT = 30.0  # seconds, for each of connecting, sending and reading
# Waits for an installation's turn to create content (see bot/engine/pacing.py); True when it is the
# write's first attempt.
InstallationPace = Callable[[int, str], Awaitable[bool]]


class SharedConnections(httpx.AsyncBaseTransport):
    """The transport every githubkit client of one App (or token) is given.

    githubkit makes an httpx client per request and closes it, and with it its transport,
    after the answer: a new TCP (and TLS) connection each time. Closing is ignored here, so
    the pool outlives each client. A connection belongs to the event loop that opened it, and
    DBOS runs workflows on more than one, hence one pool per loop.
    """

    def __init__(self) -> None:
        # Loaded once: loading the CA bundle takes some 45 ms of CPU, blocking the event loop.
        self.tls = httpx.create_ssl_context()
        self._pools: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncHTTPTransport
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _pool(self) -> httpx.AsyncHTTPTransport:
        loop = asyncio.get_running_loop()
        with self._lock:
            pool = self._pools.get(loop)
            if pool is None:
                pool = self._pools[loop] = httpx.AsyncHTTPTransport(verify=self.tls)
            return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool().handle_async_request(request)

    async def aclose(self) -> None:
        """Called by each githubkit client when it is done: the pool stays open for the next."""


@dataclass(frozen=True)
class ClientSettings:
    """What the githubkit clients of one App (or one token) share; `options()` gives each
    client (one per installation) its own rate-limit pause, as GitHub limits each on its own."""

    api_url: str
    retry: RequestRetries | None
    timeout: float  # githubkit sets none: a stalled connection would hang a step forever
    # githubkit's token cache is global by default and keyed by app and installation but not
    # by URL; each GitHubApp gets its own so two servers never share tokens.
    cache: MemCacheStrategy = field(default_factory=MemCacheStrategy)
    # githubkit makes an httpx client per request; they all send through these connections.
    connections: SharedConnections = field(default_factory=SharedConnections)

    def options(self, client: str = "app") -> dict[str, Any]:
        pause = RateLimitPause()
        return {
            "base_url": self.api_url,
            "auto_retry": RetryDecision(self.retry, pause),
            "throttler": pause,
            # Off: Baton lists comments right after writing them and must see the write.
            "http_cache": False,
            "cache_strategy": self.cache,
            "ssl_verify": self.connections.tls,  # for githubkit's sync client, unused
            "async_transport": self.connections,
            "timeout": self.timeout,
            "user_agent": "Baton",
            # Each response's x-ratelimit-remaining, for /metrics (by installation).
            "async_event_hooks": rate_limit_hooks(client),
        }


class GitHubApp:
    """A GitHub App; hands out one adapter per installation, whose tokens githubkit caches."""

    def __init__(
        self,
        app_id: int,
        private_key: str,
        api_url: str = DEFAULT_API_URL,
        retry: RequestRetries | None = None,
        timeout: float = REQUEST_TIMEOUT,
        pace: InstallationPace | None = None,
        comment_ids: CommentIds | None = None,
    ) -> None:
        self._auth = AppAuthStrategy(app_id, private_key)
        self._settings = ClientSettings(api_url, retry, timeout)
        self._pace = pace
        self._comment_ids = comment_ids
        self._adapters: dict[int, GitHubAdapter] = {}
        self._bot_login: str | None = None

    def for_installation(self, installation_id: int) -> GitHubAdapter:
        if installation_id not in self._adapters:
            auth = self._auth.as_installation(installation_id)
            github = GitHub(auth, **self._settings.options(str(installation_id)))
            pace = None if self._pace is None else functools.partial(self._pace, installation_id)
            self._adapters[installation_id] = GitHubAdapter(
                github,
                app_login=self.bot_login,
                retry=self._settings.retry,
                pace=pace,
                comment_ids=self._comment_ids,
            )
        return self._adapters[installation_id]

    async def bot_login(self) -> str:
        """`<slug>[bot]`, the user the App writes as. Asked of GitHub (`GET /app`, with the
        App's JWT) once, rather than configured, since a wrong slug would make Baton blind to
        its own issues and open them again."""
        if self._bot_login is None:
            # Held in a name: `.rest` keeps only a weak reference to its client.
            as_app = GitHub(self._auth, **self._settings.options())
            response = await as_app.rest.apps.async_get_authenticated()
            slug = response.parsed_data.slug if response.parsed_data else None
            if not slug:
                raise ValueError("GitHub's answer to GET /app has no slug")
            self._bot_login = f"{slug}[bot]"
        return self._bot_login


@raises_port_errors
class GitHubAdapter(GitHubReads, GitHubIssues, GitHubBranches, GitHubWrites):
    """GitHubPort for one installation (or one personal token): one class, made of a part for
    each kind of call (bot/adapters/github_*.py), which share only GitHubCore."""

    @classmethod
    def with_token(
        cls,
        token: str,
        api_url: str = DEFAULT_API_URL,
        retry: RequestRetries | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> GitHubAdapter:
        options = ClientSettings(api_url, retry, timeout).options("token")
        return cls(GitHub(token, **options), own_login="", retry=retry)
