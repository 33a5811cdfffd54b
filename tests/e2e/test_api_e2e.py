"""The HTTP API and result deliveries, end to end: `baton serve` started by name over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOSClient

from bot.engine.signature import verify_signature
from tests.e2e.conftest import INSTALLATION, REPO, World, running_world
from tests.fakes.receiver import Receiver

pytestmark = pytest.mark.e2e

TOKEN = "e2e-admin-token-0123456789"
DELIVERY_SECRET = "e2e-delivery-secret"
CONFIG = """\
version: 1
workflows:
  triage:
    on: [api]
    steps:
      - uses: issue.read
    deliver: {{ webhook: "{hook}" }}
  diff:
    on: [api]
    steps:
      - uses: pr.diff
  nightly:
    on: [/nightly]
    steps:
      - uses: issue.read
"""


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()
    with found.serve() as url:
        yield found, url


@pytest.fixture(scope="module")
def api_world(
    tmp_path_factory: pytest.TempPathFactory, receiver: tuple[Receiver, str]
) -> Iterator[World]:
    env = {
        "BATON_ADMIN_TOKEN": TOKEN,
        "BATON_DELIVERY_SECRET": DELIVERY_SECRET,
        "BATON_DELIVERY_ALLOW_PRIVATE": "true",  # the receiver is on loopback
        "BATON_DELIVERY_RETRY_SECONDS": "0.2",
    }
    with running_world(tmp_path_factory.mktemp("api"), **env) as world:
        files = {".github/baton.yml": CONFIG.format(hook=f"{receiver[1]}/hook")}
        world.github.add_repo(REPO, installation_id=INSTALLATION, files=files)
        world.github.add_issue(REPO, number=1, title="Flaky test", body="It fails on Mondays.")
        yield world


def call(world: World, method: str, path: str, token: str | None = TOKEN, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kw.pop("headers", {}))
    return httpx.request(method, f"{world.baton.url}{path}", headers=headers, timeout=30, **kw)


def finished(world: World, run_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        view: dict[str, Any] = call(world, "GET", f"/api/runs/{run_id}").json()
        return view if view["finished"] else None

    return world.wait_for(done, what=f"run {run_id} to finish")  # type: ignore[no-any-return]


def runs_started(world: World, prefix: str) -> list[str]:
    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:
        found = client.list_workflows(workflow_id_prefix=prefix, name="baton.run")
    finally:
        client.destroy()
    return [status.workflow_id for status in found]


def test_a_start_retried_with_its_idempotency_key_starts_one_run(api_world: World) -> None:
    key = str(uuid.uuid4())
    body = {"repo": REPO, "workflow": "triage", "subject": {"issue": 1}, "inputs": {"depth": 2}}
    answers = [
        call(api_world, "POST", "/api/runs", json=body, headers={"Idempotency-Key": key})
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["id"] == answers[1].json()["id"] == f"api:{key}:triage"
    view = finished(api_world, answers[0].json()["id"])
    assert view["status"] == "succeeded"
    assert view["outputs"]["issue"]["title"] == "Flaky test"
    assert runs_started(api_world, f"api:{key}") == [f"api:{key}:triage"]


def test_a_reused_key_with_another_request_is_refused(api_world: World) -> None:
    key = str(uuid.uuid4())
    first = {"repo": REPO, "workflow": "triage", "subject": {"issue": 1}}
    other = {**first, "inputs": {"depth": 3}}
    sent = [
        call(api_world, "POST", "/api/runs", json=b, headers={"Idempotency-Key": key}).status_code
        for b in (first, other)
    ]

    assert sent == [202, 409]


def test_the_result_arrives_signed_and_is_retried_after_a_500(
    api_world: World, receiver: tuple[Receiver, str]
) -> None:
    hook, key = receiver[0], str(uuid.uuid4())
    hook.answer_first(f'"api:{key}:triage"', 500)
    body = {"repo": REPO, "workflow": "triage", "subject": {"issue": 1}}
    headers = {"Idempotency-Key": key}
    run_id = call(api_world, "POST", "/api/runs", json=body, headers=headers).json()["id"]

    def delivered() -> dict[str, Any] | None:
        view: dict[str, Any] = call(api_world, "GET", f"/api/runs/{run_id}").json()
        return view if (view["delivery"] or {}).get("status") == "delivered" else None

    view = api_world.wait_for(delivered, what="the result delivered")
    posts = [p for p in hook.posts("/hook") if json.loads(p.body)["id"] == run_id]
    assert len(posts) == 2  # a 500, then the 200
    assert {p.headers["x-baton-delivery"] for p in posts} == {view["delivery"]["delivery_id"]}
    for post in posts:
        signature = post.headers["x-baton-signature-256"]
        assert verify_signature(DELIVERY_SECRET, post.body, signature)
        assert post.headers["x-baton-event"] == "run.completed"
    result = json.loads(posts[-1].body)
    assert (result["status"], result["workflow"], result["repo"]) == ("succeeded", "triage", REPO)
    assert any(link["name"] == "run" for link in result["links"])


def test_inputs_and_a_pull_requests_head_reach_the_run(api_world: World) -> None:
    head = api_world.github.add_pull(REPO, head_files={"src/app.py": "print('hi')\n"})
    number = api_world.github.pulls(REPO)[-1].number
    body = {"repo": REPO, "workflow": "diff", "subject": {"pull": number}, "inputs": {"x": True}}
    run_id = call(api_world, "POST", "/api/runs", json=body).json()["id"]

    view = finished(api_world, run_id)

    assert (view["status"], view["subject"], view["number"]) == (
        "succeeded",
        "pull_request",
        number,
    )
    checks = [c for c in api_world.github.check_runs(REPO, head) if c.external_id == run_id]
    assert [c.conclusion for c in checks] == ["success"]
    client = DBOSClient(system_database_url=api_world.baton.env["DATABASE_URL"])
    try:
        record = client.get_event(run_id, "run", timeout_seconds=5)
    finally:
        client.destroy()
    assert (record["run"]["inputs"], record["run"]["head_sha"]) == ({"x": True}, head)


@pytest.mark.parametrize(
    ("token", "status"), [(None, 401), ("wrong-token", 401), (TOKEN + "x", 401)]
)
def test_a_request_without_the_admin_token_is_refused(
    api_world: World, token: str | None, status: int
) -> None:
    body = {"repo": REPO, "workflow": "triage"}
    assert call(api_world, "POST", "/api/runs", token=token, json=body).status_code == status
    assert call(api_world, "GET", "/api/runs/anything", token=token).status_code == status


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"repo": REPO, "workflow": "nightly"}, 422, "add `api` to its `on:` list"),
        ({"repo": REPO, "workflow": "nope"}, 422, "has no workflow `nope` (it has: diff"),
        ({"repo": REPO, "workflow": "triage", "subject": {"issue": 404}}, 422, "no issue #404"),
        ({"repo": "octo/elsewhere", "workflow": "triage"}, 404, "not installed on octo/elsewhere"),
    ],
)
def test_a_run_that_cannot_start_is_refused_with_the_reason(
    api_world: World, body: dict[str, Any], status: int, says: str
) -> None:
    answer = call(api_world, "POST", "/api/runs", json=body)

    assert answer.status_code == status
    assert says in answer.json()["detail"]


def test_the_openapi_document_describes_the_api(api_world: World) -> None:
    document = call(api_world, "GET", "/openapi.json").json()  # with the admin token

    assert {"post"} <= set(document["paths"]["/api/runs"])
    assert {"get"} <= set(document["paths"]["/api/runs/{run_id}"])
    schemas = document["components"]["schemas"]
    assert {"RunRequest", "RunAccepted", "RunView", "Subject"} <= set(schemas)
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_baton_run_starts_a_workflow_and_waits_for_it(api_world: World, tmp_path: Path) -> None:
    env = {**os.environ, "BATON_URL": api_world.baton.url, "BATON_ADMIN_TOKEN": TOKEN}
    command = [sys.executable, "-m", "bot", "run", "triage", "--repo", REPO, "--issue", "1"]
    done = subprocess.run(
        [*command, "--input", "depth=2", "--wait"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    run_id, outcome = done.stdout.splitlines()[:2]
    assert run_id.startswith("api:") and run_id.endswith(":triage")
    assert outcome.startswith("succeeded")
