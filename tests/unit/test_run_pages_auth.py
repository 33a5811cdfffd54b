"""Who gets into the run pages: nobody until an admin token is set, then only with it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.runs.service import RunService
from bot.settings import Settings
from bot.store.database import Store
from bot.web import pages_auth
from bot.web.run_pages import create_router
from bot.web.sessions import Sessions
from tests.postgres import fresh_database

TOKEN = "a-long-random-admin-token"


def runs_of(store: Store) -> RunService:
    """The real service on a database with no runs (it asks DBOS nothing for an empty list)."""
    return RunService(None, store, "baton-1", "http://127.0.0.1:3000")  # type: ignore[arg-type]


def app_on(store: Store, token: str | None = TOKEN) -> FastAPI:
    """One Baton web process's pages on the database of `store`."""
    app = FastAPI()
    settings = Settings(_env_file=None, baton_admin_token=token)
    app.include_router(create_router(settings, lambda: runs_of(store), store))
    return app


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(app_on(store), follow_redirects=False) as browser:
        yield browser


def signed_in(browser: TestClient) -> str:
    """Sign in through the form; returns the session cookie the browser now holds."""
    answer = browser.post("/login", data={"token": TOKEN, "next": "/runs"})
    assert answer.status_code == 303, answer.text
    return str(browser.cookies["baton_session"])


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("path", ["/runs", "/runs/d1:review", "/login"])
def test_without_an_admin_token_the_pages_are_closed_and_say_how_to_open_them(
    store: Store, path: str
) -> None:
    closed = TestClient(app_on(store, token=None))

    answer = closed.get(path, headers={"Authorization": "Bearer anything"})

    assert answer.status_code == 503
    assert "BATON_ADMIN_TOKEN" in answer.text


def test_a_visitor_without_credentials_gets_the_sign_in_form_for_that_page(
    client: TestClient,
) -> None:
    answer = client.get("/runs/d1:review?x=1")

    assert answer.status_code == 401
    assert 'name="token"' in answer.text
    assert 'value="/runs/d1:review?x=1"' in answer.text


def test_a_wrong_bearer_token_is_refused_even_with_a_good_session(client: TestClient) -> None:
    signed_in(client)

    answer = client.get("/runs", headers={"Authorization": "Bearer wrong"})

    assert answer.status_code == 401
    assert client.get("/runs").status_code == 200


def test_signing_in_with_a_wrong_token_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"token": "guess", "next": "/runs"})

    assert answer.status_code == 401
    assert "not the admin token" in answer.text
    assert "set-cookie" not in answer.headers


def test_signing_in_sets_a_strict_http_only_session_and_returns_to_the_page(
    client: TestClient,
) -> None:
    answer = client.post("/login", data={"token": TOKEN, "next": "/runs/d1:review"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/runs/d1:review"
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("baton_session=")
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_signing_in_never_redirects_off_the_site(client: TestClient, target: str) -> None:
    answer = client.post("/login", data={"token": TOKEN, "next": target})

    assert answer.headers["location"] == "/runs"


def test_a_forged_expired_or_unknown_session_is_refused(store: Store) -> None:
    expired, expired_id = pages_auth.new_session(TOKEN)
    Sessions(store, clock=lambda: 1.0).open(expired_id, pages_auth.SESSION_SECONDS)
    never_opened, _ = pages_auth.new_session(TOKEN)  # signed, but no sign-in recorded it
    forged = "made-up-id." + "0" * 64

    for cookie in (forged, expired, never_opened):
        browser = TestClient(app_on(store))
        browser.cookies.set("baton_session", cookie)
        assert browser.get("/runs").status_code == 401, cookie


@pytest.fixture(params=["sqlite", "postgresql"])
def two_processes(request: pytest.FixtureRequest, store: Store) -> Iterator[tuple[Store, Store]]:
    """Two processes' stores on one database (each its own engine, as processes have)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = store.engine.url.render_as_string(hide_password=False)
        else:
            request.getfixturevalue("postgres_url")  # skips when no server answers
            # A database of its own: the session's shared one holds other tests' runs, which
            # /runs would list through a run service these pages do not have.
            url = stack.enter_context(fresh_database())
        first, second = Store(url), Store(url)
        first.create_tables()
        yield first, second
        first.close()
        second.close()


def test_a_kept_cookie_opens_nothing_after_signing_out_in_any_process(
    two_processes: tuple[Store, Store],
) -> None:
    first, second = two_processes
    browser = TestClient(app_on(first), follow_redirects=False)
    other_process = TestClient(app_on(second))
    kept = signed_in(browser)
    other_process.cookies.set("baton_session", kept)
    assert other_process.get("/runs").status_code == 200  # the database knows the session

    out = browser.post("/logout", data={"csrf": csrf_of(browser.get("/runs").text)})

    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "baton_session" not in browser.cookies
    same_process = TestClient(app_on(first))
    same_process.cookies.set("baton_session", kept)
    assert same_process.get("/runs").status_code == 401
    assert other_process.get("/runs").status_code == 401


def test_signing_out_without_the_page_s_csrf_token_ends_nothing(client: TestClient) -> None:
    signed_in(client)

    answer = client.post("/logout", data={"csrf": "from-another-site"})

    assert answer.status_code == 403
    assert client.get("/runs").status_code == 200


def test_changing_the_admin_token_ends_every_session(store: Store) -> None:
    with TestClient(app_on(store), follow_redirects=False) as browser:
        kept = signed_in(browser)

    restarted = TestClient(app_on(store, token="another-long-random-admin-token"))
    restarted.cookies.set("baton_session", kept)

    assert restarted.get("/runs").status_code == 401


def test_a_form_posted_with_a_session_but_no_csrf_token_changes_nothing(
    client: TestClient,
) -> None:
    signed_in(client)

    answer = client.post("/runs/d1:review/retry")

    assert answer.status_code == 403


def test_the_csrf_token_belongs_to_its_session() -> None:
    (mine, _), (theirs, _) = pages_auth.new_session(TOKEN), pages_auth.new_session(TOKEN)
    granted = pages_auth.Access("session", pages_auth.csrf_for(TOKEN, mine))

    assert pages_auth.csrf_ok(granted, {"csrf": pages_auth.csrf_for(TOKEN, mine)})
    assert not pages_auth.csrf_ok(granted, {"csrf": pages_auth.csrf_for(TOKEN, theirs)})
