"""How `baton serve` treats connections before a request reaches the app: headers must come
whole, soon and small, and only so many connections are served at once.

uvicorn has no limit of its own on how long or how large a request's headers may be: its
keep-alive timer stops at the first byte, and its parser keeps every header byte it is sent.
So a connection that has not sent complete headers within BATON_HEADER_TIMEOUT_SECONDS of
opening (or of its last answer) is closed, and one whose headers pass 64 KB is answered 431
and closed. uvicorn takes the protocol as a class (`uvicorn.Config(http=...)`); this one is
its httptools protocol (uvicorn[standard] installs httptools) with those two checks.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.settings import Settings

# GitHub's deliveries carry ~2 KB of headers and a browser's with cookies ~10 KB; nginx allows
# 32 KB per line, Node 16 KB in all.
MAX_HEADER_BYTES = 64 * 1024
_SAYS = b"the request's headers are larger than 64 KB"
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_SAYS), _SAYS)
)


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose headers are slow or huge."""

    header_seconds: ClassVar[float] = 10.0
    _timer: asyncio.TimerHandle | None = None
    _in_headers = False  # between a request's first byte and the end of its headers
    _header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        counted = self._in_headers
        super().data_received(data)
        # Inside headers before and after parsing: all of `data` was headers. (The read a
        # request starts in is not counted: up to 256 KB more, whatever the client sends.)
        if not (counted and self._in_headers):
            return
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers, self._header_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._stop_timer()
        self._in_headers = False
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A request already parsed (pipelined) is being served: its next one is awaited later.
        if not self.transport.is_closing() and self.cycle.response_complete:
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._stop_timer()
        self._timer = self.loop.call_later(self.header_seconds, self._headers_too_slow)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_too_slow(self) -> None:
        self._timer = None
        if self.cycle is None or self.cycle.response_complete:  # nothing is being served
            self.transport.close()


def protocol_for(settings: Settings) -> type[HeaderDeadlineProtocol]:
    class Configured(HeaderDeadlineProtocol):
        header_seconds = settings.baton_header_timeout_seconds

    return Configured


def server_options(settings: Settings) -> dict[str, Any]:
    """What `baton serve` gives uvicorn.Config besides the app and the address.

    Beyond `limit_concurrency` connections (counting the one asking) or requests in progress,
    uvicorn answers 503 at once.
    """
    return {"http": protocol_for(settings), "limit_concurrency": settings.baton_max_connections}
