"""What the HTTP API accepts before it starts anything: the token, the request's shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bot.api.models import RunRequest
from bot.cli.run import input_value
from bot.engine.runtime import Runtime, set_runtime
from bot.settings import Settings
from bot.store.database import Store
from bot.web import api


def unused(_: Any) -> Any:
    raise AssertionError("the API reached a port before checking the request")


@pytest.fixture
def closed_api() -> Iterator[TestClient]:
    settings = Settings(_env_file=None, baton_admin_token=None)
    store = Store("sqlite://")
    set_runtime(Runtime(settings=settings, store=store, github=unused, llm=unused))
    app = FastAPI()
    app.include_router(api.router)
    try:
        yield TestClient(app)
    finally:
        set_runtime(None)
        store.close()


def test_without_an_admin_token_the_api_is_closed_and_says_how_to_open_it(
    closed_api: TestClient,
) -> None:
    body = {"repo": "octo/demo", "workflow": "triage"}
    answer = closed_api.post("/api/runs", json=body, headers={"Authorization": "Bearer x"})

    assert answer.status_code == 503
    assert "BATON_ADMIN_TOKEN" in answer.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"repo": "octo", "workflow": "triage"},
        {"repo": "octo/demo", "workflow": "Triage!"},
        {"repo": "octo/demo", "workflow": "triage", "subject": {}},
        {"repo": "octo/demo", "workflow": "triage", "subject": {"issue": 1, "pull": 2}},
        {"repo": "octo/demo", "workflow": "triage", "subject": {"issue": 0}},
        {"repo": "octo/demo", "workflow": "triage", "inputs": {"bad name": 1}},
        {"repo": "octo/demo", "workflow": "triage", "inputs": {"nested": {"a": 1}}},
        {"repo": "octo/demo", "workflow": "triage", "inputs": {"n": None}},
        {"repo": "octo/demo", "workflow": "triage", "inputs": {"n": float("nan")}},
        {"repo": "octo/demo", "workflow": "triage", "inputs": {"n": float("inf")}},
        {"repo": "octo/demo", "workflow": "triage", "extra": True},
    ],
)
def test_a_malformed_start_request_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RunRequest.model_validate(body)


def test_inputs_keep_their_json_types() -> None:
    inputs = {"flag": True, "count": 3, "ratio": 0.5, "name": "3"}
    request = RunRequest.model_validate({"repo": "o/r", "workflow": "w", "inputs": inputs})

    assert request.inputs == inputs
    assert [type(v) for v in request.inputs.values()] == [bool, int, float, str]


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("0.5", 0.5), ("true", True), ("hello", "hello"), ('"3"', "3"), ("[1]", "[1]")],
)
def test_baton_run_reads_an_input_as_a_json_scalar_or_else_text(text: str, value: Any) -> None:
    assert input_value(text) == value
    assert type(input_value(text)) is type(value)
