"""The adapter's requests share open connections rather than each opening its own."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.adapters.github import GitHubAdapter


class ConnectionCounter(ThreadingHTTPServer):
    """Answers every GET with an empty list, keeping connections open; counts the ones it
    accepts."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.clients: set[tuple[str, int]] = set()


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server: ConnectionCounter

    def do_GET(self) -> None:
        self.server.clients.add(self.client_address)
        body = json.dumps([]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ConnectionCounter]:
    server = ConnectionCounter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_requests_one_after_another_reuse_one_connection(server: ConnectionCounter) -> None:
    github = GitHubAdapter.with_token("t", api_url=f"http://127.0.0.1:{server.server_port}")

    for _ in range(3):
        assert await github.list_pull_files("octo/widgets", 3) == []

    assert len(server.clients) == 1
