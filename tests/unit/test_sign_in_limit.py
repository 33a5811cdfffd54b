"""Guessing the admin token: each wrong one is logged, and a few from one address make it wait."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.engine.runtime import Runtime, set_runtime
from bot.settings import Settings
from bot.store.database import Store
from bot.web import api, sign_in_limit
from bot.web.run_pages import create_router
from bot.web.sign_in_limit import FAILURES, WINDOW_SECONDS, Counted, FailureWindow
from tests.unit.test_run_pages_auth import TOKEN, runs_of, signed_in

ATTACKER, ADMIN = ("203.0.113.7", 40000), ("198.51.100.2", 40000)
RIGHT = {"Authorization": f"Bearer {TOKEN}"}


def unused(_: object) -> object:
    raise AssertionError("the API reached a port")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(store: Store) -> Iterator[FastAPI]:
    """One Baton process: the run pages and the API, sharing one count of failures."""
    settings = Settings(_env_file=None, baton_admin_token=TOKEN)
    set_runtime(Runtime(settings=settings, store=store, github=unused, llm=unused))
    process = FastAPI()
    process.include_router(api.router)
    process.include_router(create_router(settings, lambda: runs_of(store), store))
    yield process
    set_runtime(None)


def browser(app: FastAPI, address: tuple[str, int] = ATTACKER) -> TestClient:
    return TestClient(app, client=address, follow_redirects=False)


def guess(client: TestClient, token: str = "a-wrong-guess") -> int:
    return client.post("/login", data={"token": token, "next": "/runs"}).status_code


def test_after_a_few_wrong_tokens_even_the_right_one_waits_with_429(app: FastAPI) -> None:
    attacker = browser(app)
    assert [guess(attacker) for _ in range(FAILURES)] == [401] * FAILURES

    answer = attacker.post("/login", data={"token": TOKEN, "next": "/runs"})

    assert answer.status_code == 429
    assert 0 < int(answer.headers["retry-after"]) <= WINDOW_SECONDS
    assert f"Try again in {answer.headers['retry-after']} s" in answer.text
    assert "set-cookie" not in answer.headers


def test_wrong_bearer_tokens_on_the_pages_and_the_api_count_with_the_form(app: FastAPI) -> None:
    attacker, wrong = browser(app), {"Authorization": "Bearer a-wrong-guess"}
    answers = [attacker.get("/runs", headers=wrong).status_code for _ in range(2)]
    answers += [attacker.get("/api/runs/x", headers=wrong).status_code for _ in range(2)]
    answers.append(guess(attacker))
    assert answers == [401] * FAILURES

    api_answer = attacker.get("/api/runs/x", headers=RIGHT)
    page_answer = attacker.get("/runs", headers=RIGHT)

    assert api_answer.status_code == 429 and "retry-after" in api_answer.headers
    assert "too many wrong admin tokens" in api_answer.json()["detail"]
    assert page_answer.status_code == 429 and "retry-after" in page_answer.headers


def test_another_address_and_a_signed_in_admin_are_let_in_while_an_attacker_waits(
    app: FastAPI,
) -> None:
    admin_here, admin_elsewhere = browser(app), browser(app, ADMIN)
    signed_in(admin_here)  # behind the attacker's proxy, signed in before the guessing
    for _ in range(FAILURES):
        guess(browser(app))

    assert guess(browser(app), TOKEN) == 429
    assert admin_here.get("/runs").status_code == 200
    assert guess(admin_elsewhere, TOKEN) == 303


def test_each_wrong_token_is_logged_with_the_address_and_never_the_token(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    attacker = browser(app)
    with caplog.at_level(logging.WARNING, logger="baton.sign_in"):
        guess(attacker, "guess-number-one")
        attacker.get("/api/runs/x", headers={"Authorization": "Bearer guess-number-two"})

    logged = [r.getMessage() for r in caplog.records if r.name == "baton.sign_in"]
    assert len(logged) == 2
    assert all(ATTACKER[0] in line for line in logged)
    assert not any("guess-number" in line for line in caplog.text.splitlines())


def test_an_address_may_try_again_once_its_failures_are_a_window_old() -> None:
    clock = Clock()
    failures = FailureWindow(clock)
    for _ in range(FAILURES):
        failures.count(ATTACKER[0], right=False)
        clock.now += 1

    waiting = failures.count(ATTACKER[0], right=True).wait
    clock.now += waiting

    assert waiting == WINDOW_SECONDS - FAILURES
    assert failures.count(ATTACKER[0], right=True) == Counted()  # let in
    assert failures.count(ADMIN[0], right=True) == Counted()


def test_guesses_from_ever_new_addresses_keep_a_bounded_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sign_in_limit, "MAX_ADDRESSES", 3)
    failures = FailureWindow(Clock())
    for _ in range(FAILURES):
        failures.count("192.0.2.1", right=False)

    for n in range(2, 6):  # more addresses than are remembered: the longest-known goes
        failures.count(f"192.0.2.{n}", right=False)

    assert failures.count("192.0.2.1", right=True) == Counted()
    assert failures.count("192.0.2.5", right=False) == Counted(failures=2)
