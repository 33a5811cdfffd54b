"""A webhook receiver on loopback: keeps every POST, and answers as the test scripts it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
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

    def answer_first(self, containing: str, *statuses: int) -> None:
        with self.lock:
            self.answers.setdefault(containing.encode(), []).extend(statuses)

    def posts(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.received.append(Received(request.url.path, dict(request.headers), body))
            scripted = next((a for key, a in self.answers.items() if key in body and a), None)
            status = scripted.pop(0) if scripted else 200
        return Response(status_code=status)

    @contextmanager
    def serve(self) -> Iterator[str]:
        app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
        with serve_in_thread(app) as url:
            yield url
