"""The HTTP edge of both apps: request bodies bounded in size and in time, and the security
headers on every answer.

Plain ASGI rather than Starlette's BaseHTTPMiddleware: it sits on the webhook ack's path, and
costs one small object per request and a timer per body read. A body over its limit is refused
with 413 from its Content-Length, before any of it is read, or, without one (chunked), as soon
as the bytes read pass the limit; a body not all there within BATON_BODY_TIMEOUT_SECONDS gets
408. Either answer says `Connection: close`, so the server stops reading: the rest of a 200 MB
upload is never taken in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings
from bot.web.edge_policy import (
    BodyLimit,
    Headers,
    body_limit,
    declared_length,
    security_headers,
    too_large,
)
from bot.web.page_render import STYLESHEET

DISCONNECT: Message = {"type": "http.disconnect"}


class BodyRefused(Exception):
    """The edge refused the request's body and has answered; what the app sends is dropped."""


def answer(status: int, detail: str, headers: Headers) -> tuple[Message, Message]:
    body = json.dumps({"detail": detail}).encode()
    length = str(len(body)).encode("ascii")
    fields = [(b"content-type", b"application/json"), (b"content-length", length)]
    fields += [(b"connection", b"close"), *headers]
    start = {"type": "http.response.start", "status": status, "headers": fields}
    return start, {"type": "http.response.body", "body": body}


class Exchange:
    """One request through the edge: its body counted and timed, its answer given the headers."""

    __slots__ = ("_receive", "_send", "answered", "body_done", "deadline", "headers", "limit",
                 "received", "started")  # fmt: skip

    def __init__(
        self, receive: Receive, send: Send, headers: Headers, limit: BodyLimit, deadline: float
    ) -> None:
        self._receive, self._send, self.headers = receive, send, headers
        self.limit, self.deadline, self.received = limit, deadline, 0
        self.body_done = self.started = self.answered = False

    async def receive(self) -> Message:
        if self.answered:
            return DISCONNECT
        if self.body_done:  # the app is only listening for a disconnect now: no deadline
            return await self._receive()
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self._receive()
        except TimeoutError:
            await self.refuse(408, "the request body did not all arrive in time")
            raise BodyRefused from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.body_done = not message.get("more_body", False)
            if self.received > self.limit.size:
                await self.refuse(413, too_large(self.limit))
                raise BodyRefused
        return message

    async def send(self, message: Message) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self.started = True
            message = {**message, "headers": [*message.get("headers", ()), *self.headers]}
        await self._send(message)

    async def refuse(self, status: int, detail: str) -> None:
        """Answer instead of the app (unless it has begun to), and drop what it sends later."""
        if not self.started:
            self.started = True
            for message in answer(status, detail, self.headers):
                await self._send(message)
        self.answered = True


class Edge:
    """The ASGI middleware: bounds each request's body and adds `headers` to every answer."""

    def __init__(self, app: ASGIApp, headers: Headers, body_seconds: float) -> None:
        self.app, self.headers, self.body_seconds = app, headers, body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        exchange = Exchange(receive, send, self.headers, limit, deadline)
        declared = declared_length(scope["headers"])
        if declared is not None and declared > limit.size:
            await exchange.refuse(413, too_large(limit))
            return
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            if exchange.answered:  # the app failed on the body it was refused
                return
            # Answered here rather than by Starlette's error middleware, outside this one, so
            # that a 500 carries the headers too; the error still goes on to be logged.
            await exchange.refuse(500, "Internal Server Error")
            raise


def guard(app: FastAPI, settings: Settings, form_targets: Iterable[str] = ()) -> None:
    """Put the edge in front of `app`; its pages may post forms to itself and `form_targets`."""
    headers = security_headers(STYLESHEET, form_targets)
    app.add_middleware(Edge, headers=headers, body_seconds=settings.baton_body_timeout_seconds)
