"""Connections at `baton serve`'s edge: slow or endless headers are cut off, and beyond the
connection limit a request is turned away at once (bot/web/connections.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.raw_http import RawClient, request_head, serving, settings_in, upload

HALF_A_REQUEST = b"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: pu"


@pytest.fixture(scope="module")
def impatient_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Baton closing connections whose request headers take longer than 0.3 s."""
    workdir = tmp_path_factory.mktemp("edge-connections")
    with serving(settings_in(workdir, baton_header_timeout_seconds=0.3)) as url:
        yield url


def test_a_connection_that_sends_half_its_headers_is_closed(impatient_url: str) -> None:
    client = RawClient(impatient_url)
    client.send(HALF_A_REQUEST)

    assert client.answer() == b""  # closed, without waiting for the rest


def test_a_connection_that_sends_nothing_is_closed(impatient_url: str) -> None:
    client = RawClient(impatient_url)

    assert client.answer() == b""


def test_a_kept_alive_connection_that_stalls_in_its_next_request_is_closed(
    impatient_url: str,
) -> None:
    client = RawClient(impatient_url)
    client.send(request_head("GET", "/healthz"))
    assert client.response().startswith(b"HTTP/1.1 200 ")
    client.send(HALF_A_REQUEST)  # the first bytes stop uvicorn's own keep-alive timer

    assert client.answer() == b""


def test_endless_headers_are_refused_before_they_are_all_read(impatient_url: str) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "

    sent, answer = upload(impatient_url, head, 100 * 1024 * 1024)  # one 100 MB header

    assert answer.startswith(b"HTTP/1.1 431 "), answer[:300]
    assert b"larger than 64 KB" in answer
    assert sent < 50 * 1024 * 1024


def test_beyond_the_connection_limit_a_request_is_turned_away(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = settings_in(tmp_path_factory.mktemp("edge-limit"), baton_max_connections=3)
    with serving(settings) as url:
        served = [RawClient(url), RawClient(url)]
        for client in served:  # answered, and kept open
            client.send(request_head("GET", "/healthz"))
            assert client.response().startswith(b"HTTP/1.1 200 ")
        third = RawClient(url)
        third.send(request_head("GET", "/healthz"))

        answer = third.response()

        assert answer.startswith(b"HTTP/1.1 503 "), answer[:300]
        for client in [*served, third]:
            client.close()
