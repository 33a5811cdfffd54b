"""Who gets into the run pages: nobody until an admin token is set, then only with it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.runs.service import RunService
from bot.settings import Settings
from bot.web import pages_auth
from bot.web.run_pages import create_router

TOKEN = "a-long-random-admin-token"


def no_service() -> RunService:
    raise AssertionError("the gate let a request through to the runs")


def client(token: str | None = TOKEN, session: str | None = None) -> TestClient:
    app = FastAPI()
    settings = Settings(_env_file=None, baton_admin_token=token)
    app.include_router(create_router(settings, no_service))
    browser = TestClient(app, follow_redirects=False)
    if session is not None:
        browser.cookies.set("baton_session", session)
    return browser


@pytest.mark.parametrize("path", ["/runs", "/runs/d1:review", "/login"])
def test_without_an_admin_token_the_pages_are_closed_and_say_how_to_open_them(path: str) -> None:
    answer = client(token=None).get(path, headers={"Authorization": "Bearer anything"})

    assert answer.status_code == 503
    assert "BATON_ADMIN_TOKEN" in answer.text


def test_a_visitor_without_credentials_gets_the_sign_in_form_for_that_page() -> None:
    answer = client().get("/runs/d1:review?x=1")

    assert answer.status_code == 401
    assert 'name="token"' in answer.text
    assert 'value="/runs/d1:review?x=1"' in answer.text


def test_a_wrong_bearer_token_is_refused_even_with_a_good_session() -> None:
    session = pages_auth.new_session(TOKEN)

    answer = client(session=session).get("/runs", headers={"Authorization": "Bearer wrong"})

    assert answer.status_code == 401


def test_signing_in_with_a_wrong_token_is_refused() -> None:
    answer = client().post("/login", data={"token": "guess", "next": "/runs"})

    assert answer.status_code == 401
    assert "not the admin token" in answer.text
    assert "set-cookie" not in answer.headers


def test_signing_in_sets_a_strict_http_only_session_and_returns_to_the_page() -> None:
    answer = client().post("/login", data={"token": TOKEN, "next": "/runs/d1:review"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/runs/d1:review"
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("baton_session=")
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_signing_in_never_redirects_off_the_site(target: str) -> None:
    answer = client().post("/login", data={"token": TOKEN, "next": target})

    assert answer.headers["location"] == "/runs"


def test_a_forged_or_expired_session_is_refused() -> None:
    forged = "9999999999." + "0" * 64
    expired = pages_auth.new_session(TOKEN, now=1.0)
    other_token = pages_auth.new_session("another-token")

    for session in (forged, expired, other_token):
        answer = client(session=session).get("/runs")
        assert answer.status_code == 401, session


def test_a_form_posted_with_a_session_but_no_csrf_token_changes_nothing() -> None:
    session = pages_auth.new_session(TOKEN)

    answer = client(session=session).post("/runs/d1:review/retry")

    assert answer.status_code == 403


def test_the_csrf_token_belongs_to_its_session() -> None:
    mine, theirs = pages_auth.new_session(TOKEN, now=100.0), pages_auth.new_session(TOKEN)
    granted = pages_auth.Access("session", pages_auth.csrf_for(TOKEN, mine))

    assert pages_auth.csrf_ok(granted, {"csrf": pages_auth.csrf_for(TOKEN, mine)})
    assert not pages_auth.csrf_ok(granted, {"csrf": pages_auth.csrf_for(TOKEN, theirs)})
