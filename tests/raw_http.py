"""Baton's real app under uvicorn, as `baton serve` runs it, and a client that sends HTTP byte by
byte, the way an attacker would: for the tests of the HTTP edge (bot/web/edge.py and
bot/web/connections.py)."""

from __future__ import annotations

import logging
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.bootstrap import Baton
from bot.engine.runtime import set_runtime
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.connections import server_options
from bot.web.setup import create_setup_app
from tests.fakes import keys
from tests.fakes.serve import serve_in_thread

SECRET = "edge-webhook-secret"
TOKEN = "edge-admin-token-0123456789abcdef"
# How long a socket waits for the server before the test fails; a passing test never waits
# this long, it waits for an answer or a close.
PATIENCE = 5.0


def settings_in(workdir: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        github_app_id=1,
        github_private_key=keys.app_private_key(),
        github_webhook_secret=SECRET,
        baton_admin_token=TOKEN,
        database_url=f"sqlite:///{workdir / 'edge.sqlite'}",
        **overrides,
    )


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The full app on a loopback port with `baton serve`'s uvicorn options; DBOS stays off
    (its launch takes seconds), so deliveries Baton would store cannot be sent to it."""
    baton = Baton(settings)
    baton.store.create_tables()
    set_runtime(baton.runtime)  # as launching does: the API's token check reads it
    try:
        with serve_in_thread(create_app(baton), **server_options(settings)) as url:
            yield url
    finally:
        set_runtime(None)
        baton.store.close()


@contextmanager
def serving_setup(settings: Settings, workdir: Path) -> Iterator[str]:
    """The set-up app (no App credentials yet), leaving this process's logging as it was."""
    root, dbos, baton = (logging.getLogger(name) for name in (None, "dbos", "baton"))
    kept = (root.handlers[:], dbos.handlers[:], dbos.propagate, baton.level)
    try:
        app = create_setup_app(settings, workdir / ".env")
        with serve_in_thread(app, **server_options(settings)) as url:
            yield url
    finally:
        root.handlers[:], dbos.handlers[:], dbos.propagate = kept[:3]
        baton.setLevel(kept[3])


class RawClient:
    """One connection to `url`, written to as the test says."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=PATIENCE)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answered(self) -> bool:
        return bool(select.select([self.sock], [], [], 0)[0])

    def answer(self) -> bytes:
        """Everything the server sends until it closes the connection."""
        received = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:  # it closed with our unread upload still queued
                return received
            except TimeoutError:
                raise AssertionError(
                    f"the server neither answered nor closed within {PATIENCE} s "
                    f"(got {received[:200]!r})"
                ) from None
            if not data:
                return received
            received += data

    def response(self) -> bytes:
        """One answer on a connection kept alive (its Content-Length says where it ends)."""
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(65536)
        fields, _, body = head.partition(b"\r\n\r\n")
        length = int(fields.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += self.sock.recv(65536)
        return fields + b"\r\n\r\n" + body

    def close(self) -> None:
        self.sock.close()


def request_head(method: str, path: str, *fields: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *fields, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def upload(url: str, head: bytes, total: int, chunked: bool = False) -> tuple[int, bytes]:
    """Send `head`, then a body of `total` bytes, stopping once the server answers or stops
    reading; returns how many body bytes were sent, and the answer."""
    client = RawClient(url)
    client.send(head)
    sent = 0
    try:
        while sent < total and not client.answered():
            piece = b"x" * min(65536, total - sent)
            client.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked and sent >= total:
            client.send(b"0\r\n\r\n")
    except OSError:  # reset: the server answered and closed while we were still sending
        pass
    try:
        return sent, client.answer()
    finally:
        client.close()
