"""A webhook receiver on loopback: keeps every POST, and answers as the test scripts it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.serve import serve_in_thread


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        # Statuses to answer, in order, to posts whose body contains the key; then 200.
        self.answers: dict[bytes, list[int]] = {}
        # Posts whose body contains one of these are answered 200 with a body that never ends.
        self.endless: set[bytes] = set()

    def answer_first(self, containing: str, *statuses: int) -> None:
        with self.lock:
            self.answers.setdefault(containing.encode(), []).extend(statuses)

    def answer_endlessly(self, containing: str) -> None:
        with self.lock:
            self.endless.add(containing.encode())

    def posts(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.received.append(Received(request.url.path, dict(request.headers), body))
            scripted = next((a for key, a in self.answers.items() if key in body and a), None)
            status = scripted.pop(0) if scripted else 200
            endless = any(key in body for key in self.endless)
        if endless:
            return StreamingResponse(self._endless_body(), status_code=200)
        return Response(status_code=status)

    async def _endless_body(self) -> AsyncIterator[bytes]:
        """64 MiB as fast as the client reads them, then nothing more, never ending: a client
        reading the answer to its end waits until it times out. Stops when the client leaves."""
        for _ in range(64):
            yield b"x" * 2**20
        await asyncio.Event().wait()

    @contextmanager
    def serve(self, **options: Any) -> Iterator[str]:
        """Serve until the block ends; `options` go to uvicorn (`ssl_certfile`, `ssl_keyfile`)."""
        app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
        with serve_in_thread(app, **options) as url:
            yield url
