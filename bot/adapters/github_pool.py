"""The HTTP connections an App's githubkit clients share, so a request reuses an open one."""

from __future__ import annotations

import asyncio
import threading
import weakref

import httpx


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
