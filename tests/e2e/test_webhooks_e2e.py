"""The webhook endpoint as GitHub and forgers meet it: every real payload in, every forgery out."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from dbos import DBOSClient

from bot.engine.signature import sign
from tests.baton_process import post_webhook
from tests.e2e.conftest import SECRET, World
from tests.payloads import REMOVE, example_payloads, payload


def test_every_github_example_payload_is_accepted(shared_world: World) -> None:
    examples = example_payloads()
    statuses = {}
    for index, (event, body) in enumerate(examples):
        response = shared_world.send(event, body, delivery=f"example-{index}")
        statuses[f"{event}-{index}"] = response.status_code

    assert len(examples) == 329
    assert {k: v for k, v in statuses.items() if not 200 <= v < 300} == {}


def raw(world: World, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{world.baton.url}/webhooks", content=body, headers=headers, timeout=10)


def signed_headers(body: bytes, **extra: str) -> dict[str, str]:
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    headers.update(extra)
    return {k: v for k, v in headers.items() if v}


BODY = json.dumps(payload("pull_request", "opened")).encode()
SHA1 = "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()

FORGED = {
    "no signature": (BODY, signed_headers(BODY, **{"X-Hub-Signature-256": ""}), 401),
    "only the legacy sha1 signature": (
        BODY,
        {**signed_headers(BODY, **{"X-Hub-Signature-256": ""}), "X-Hub-Signature": SHA1},
        401,
    ),
    "signed with another secret": (
        BODY,
        signed_headers(BODY, **{"X-Hub-Signature-256": sign("not-the-secret", BODY)}),
        401,
    ),
    "body changed after signing": (BODY + b" ", signed_headers(BODY), 401),
    "no event header": (BODY, signed_headers(BODY, **{"X-GitHub-Event": ""}), 400),
    "no delivery header": (BODY, signed_headers(BODY, **{"X-GitHub-Delivery": ""}), 400),
    "not json": (b"{nope", signed_headers(b"{nope"), 400),
    "a json array": (b"[1, 2]", signed_headers(b"[1, 2]"), 400),
}


@pytest.mark.parametrize("case", list(FORGED), ids=list(FORGED))
def test_forged_or_broken_delivery_is_refused_with_4xx(shared_world: World, case: str) -> None:
    body, headers, expected = FORGED[case]

    response = raw(shared_world, body, headers)

    assert response.status_code == expected, response.text
    assert "error" in response.json()


def test_pull_request_payload_without_its_pull_request_is_refused_saying_why(
    shared_world: World,
) -> None:
    body = json.dumps(payload("pull_request", "opened", pull_request=REMOVE)).encode()

    response = post_webhook(shared_world.baton.url, "pull_request", body, SECRET, "broken-1")

    assert response.status_code == 400
    assert "pull_request" in response.json()["error"]


def test_ping_is_acknowledged(shared_world: World) -> None:
    response = shared_world.send("ping", payload("ping"))

    assert response.status_code == 200


def test_health_check_answers_ok_when_the_database_is_reachable(shared_world: World) -> None:
    response = httpx.get(f"{shared_world.baton.url}/healthz", timeout=5)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_deliveries_arriving_together_are_each_stored_once(shared_world: World) -> None:
    """A burst shares commits (bot/receive/inbox.py); a redelivery racing its original is still told
    apart, and each delivery is dispatched exactly once."""
    body = payload("issue_comment", "created")
    ids = [f"together-{uuid.uuid4()}" for _ in range(30)]
    sends = [(delivery, attempt) for delivery in ids for attempt in range(2)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda s: shared_world.send("issue_comment", body, s[0]), sends))

    assert {a.status_code for a in answers} == {202}
    outcomes: dict[str, list[str]] = {}
    for (delivery, _), answer in zip(sends, answers, strict=True):
        outcomes.setdefault(delivery, []).append(answer.json()["status"])
    assert {d: sorted(o) for d, o in outcomes.items()} == {
        d: ["accepted", "duplicate"] for d in ids
    }
    client = DBOSClient(system_database_url=shared_world.baton.env["DATABASE_URL"])
    try:

        def dispatched() -> bool:
            found = client.list_workflows(workflow_ids=ids, load_input=False, load_output=False)
            return len(found) == len(ids) and all(w.status == "SUCCESS" for w in found)

        shared_world.wait_for(dispatched, what="each delivery dispatched")
    finally:
        client.destroy()
