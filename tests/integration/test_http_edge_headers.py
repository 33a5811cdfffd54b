"""What every answer of `baton serve` tells the browser (bot/web/edge_policy.py), and who may
read the OpenAPI document (bot/web/openapi_doc.py)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.bootstrap import Baton
from bot.web.app import create_app
from bot.web.edge import guard
from tests.fakes.serve import serve_in_thread
from tests.raw_http import TOKEN, serving, serving_setup, settings_in

GITHUB_WEB = "https://github.example.com"


@pytest.fixture(scope="module")
def baton_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings_in(tmp_path_factory.mktemp("edge-headers"))) as url:
        yield url


@pytest.fixture(scope="module")
def setup_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("edge-setup")
    with serving_setup(settings_in(workdir, github_web_url=GITHUB_WEB), workdir) as url:
        yield url


def assert_guarded(answer: httpx.Response) -> str:
    """The answer's Content-Security-Policy, once every security header is checked."""
    headers = answer.headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    policy = headers["content-security-policy"]
    assert policy.startswith("default-src 'none';")
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    return policy


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/login", 200),
        ("GET", "/runs", 401),
        ("GET", "/healthz", 200),
        ("POST", "/webhooks", 401),
        ("GET", "/openapi.json", 401),
    ],
)
def test_every_answer_carries_the_security_headers(
    baton_url: str, method: str, path: str, status: int
) -> None:
    answer = httpx.request(method, baton_url + path, timeout=10)

    assert answer.status_code == status
    assert "form-action 'self';" in assert_guarded(answer)


def test_the_pages_inline_stylesheet_is_the_one_the_policy_allows(baton_url: str) -> None:
    page = httpx.get(f"{baton_url}/login", timeout=10)

    styles = re.findall(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}';" in assert_guarded(page)
    assert "<script" not in page.text


@pytest.mark.parametrize(("path", "status"), [("/", 403), ("/healthz", 200), ("/nowhere", 404)])
def test_the_set_up_app_carries_them_too_and_may_post_only_to_github(
    setup_url: str, path: str, status: int
) -> None:
    answer = httpx.get(setup_url + path, timeout=10)

    assert answer.status_code == status
    assert f"form-action 'self' {GITHUB_WEB};" in assert_guarded(answer)


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_api_explorer_is_served(baton_url: str, setup_url: str, path: str) -> None:
    assert httpx.get(baton_url + path, timeout=10).status_code == 404
    assert httpx.get(setup_url + path, timeout=10).status_code == 404
    assert httpx.get(f"{setup_url}/openapi.json", timeout=10).status_code == 404


def test_the_openapi_document_wants_the_admin_token(baton_url: str) -> None:
    url = f"{baton_url}/openapi.json"

    anonymous = httpx.get(url, timeout=10)
    wrong = httpx.get(url, headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    right = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)

    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert {"post"} <= set(right.json()["paths"]["/api/runs"])


def test_someone_signed_in_to_the_run_pages_may_read_the_openapi_document(baton_url: str) -> None:
    with httpx.Client(base_url=baton_url, timeout=10) as browser:
        signed_in = browser.post("/login", data={"token": TOKEN, "next": "/runs"})
        assert signed_in.status_code == 303

        answer = browser.get("/openapi.json")

    assert answer.status_code == 200
    assert "/api/runs/{run_id}" in answer.json()["paths"]


def test_the_openapi_document_is_still_built_in_process(tmp_path: Path) -> None:
    baton = Baton(settings_in(tmp_path))

    document = create_app(baton).openapi()

    assert "/api/runs" in document["paths"]
    baton.store.close()


def test_an_unexpected_error_is_answered_with_the_headers_too(tmp_path: Path) -> None:
    app = FastAPI()
    guard(app, settings_in(tmp_path))

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    with serve_in_thread(app) as url:
        answer = httpx.get(f"{url}/broken", timeout=10)

    assert answer.status_code == 500
    assert_guarded(answer)
