"""Request bodies at `baton serve`'s edge: too large ones are refused before they are read, slow
ones are given up on, and real deliveries still get through (bot/web/edge.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from bot.engine.signature import sign
from tests.payloads import payload
from tests.raw_http import SECRET, RawClient, request_head, serving, settings_in, upload

MB = 1024 * 1024
FORM = "Content-Type: application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def baton_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings_in(tmp_path_factory.mktemp("edge-bodies"))) as url:
        yield url


@pytest.mark.parametrize(
    ("chunked", "sent_at_most"),
    [(False, 25 * MB), (True, 100 * MB)],
    ids=["with-content-length", "chunked"],
)
def test_a_200_mb_unsigned_delivery_is_refused_before_it_is_read(
    baton_url: str, chunked: bool, sent_at_most: int
) -> None:
    total = 200 * MB
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    head = request_head("POST", "/webhooks", "X-GitHub-Event: push", length)

    sent, answer = upload(baton_url, head, total, chunked)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"larger than 25 MB" in answer
    # The answer came while the upload was still going: the server never took the rest in.
    # Declared, it is refused before any of it is read; chunked, once 25 MB have been.
    assert sent < sent_at_most


def test_a_30_mb_sign_in_is_refused(baton_url: str) -> None:
    head = request_head("POST", "/login", FORM, f"Content-Length: {30 * MB}")

    sent, answer = upload(baton_url, head, 30 * MB)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"larger than 64 KB" in answer
    assert sent < 30 * MB


@pytest.mark.parametrize(
    "path", ["/login", "/logout", "/runs/d1:review/retry", "/runs/d1:review/fork"]
)
def test_a_form_over_64_kb_is_refused(baton_url: str, path: str) -> None:
    size = 65 * 1024
    head = request_head("POST", path, FORM, f"Content-Length: {size}")

    _, answer = upload(baton_url, head, size)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"larger than 64 KB" in answer


def test_an_api_request_over_1_mb_is_refused(baton_url: str) -> None:
    head = request_head(
        "POST", "/api/runs", "Content-Type: application/json", "Content-Length: 2097152"
    )

    _, answer = upload(baton_url, head, 2 * MB)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"larger than 1 MB" in answer


@pytest.mark.parametrize("chunked", [False, True], ids=["with-content-length", "chunked"])
def test_a_signed_delivery_of_a_megabyte_is_still_acknowledged(
    baton_url: str, chunked: bool
) -> None:
    body = json.dumps(payload("star", "created", **{"repository.description": "x" * MB}))
    raw = body.encode()
    headers = {
        "X-GitHub-Event": "star",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(SECRET, raw),
        "Content-Type": "application/json",
    }
    content = iter([raw[: len(raw) // 2], raw[len(raw) // 2 :]]) if chunked else raw

    answer = httpx.post(f"{baton_url}/webhooks", content=content, headers=headers, timeout=10)

    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "ignored"  # read whole, verified, parsed: Baton skips stars


def test_a_sign_in_form_under_the_limit_is_read(baton_url: str) -> None:
    form = {"token": "not-the-admin-token", "next": "/runs", "padding": "x" * 60_000}

    answer = httpx.post(f"{baton_url}/login", data=form, timeout=10)

    assert answer.status_code == 401
    assert "That is not the admin token" in answer.text


def test_a_body_that_stops_arriving_is_given_up_on(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = settings_in(
        tmp_path_factory.mktemp("edge-slow-body"), baton_body_timeout_seconds=0.3
    )
    with serving(settings) as url:
        client = RawClient(url)
        client.send(request_head("POST", "/login", FORM, "Content-Length: 1000") + b"token=")

        answer = client.answer()

    assert answer.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert b"did not all arrive in time" in answer
