"""What strangers reach over HTTP, fuzzed against Baton's real app (bootstrap's wiring, DBOS on a
SQLite file, the fake GitHub) on loopback: deliveries signed and not, the sign-in form, the
set-up pages, and the API from its own OpenAPI document, with the admin token and without.
Never a 5xx, never a hang; without the token the API answers nothing but refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis import Case

from bot.engine.signature import verify_signature
from tests.fuzz import surfaces
from tests.fuzz.api_inputs import RANDOM_WARNING, api_cases, run_requests
from tests.fuzz.http_inputs import Request, setup_requests, sign_in_requests, webhook_requests
from tests.fuzz.world import (
    REPO,
    SECRET,
    SETUP_TOKEN,
    TOKEN,
    WORKFLOW,
    Served,
    served_baton,
    served_setup,
)

pytestmark = pytest.mark.filterwarnings(RANDOM_WARNING)

CI = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def baton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_baton(tmp_path_factory.mktemp("fuzz-baton")) as served:
        yield served


@pytest.fixture(scope="module")
def client(baton: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=baton.url) as opened:
        yield opened


@pytest.fixture(scope="module")
def api(baton: Served) -> st.SearchStrategy[Case]:
    return api_cases(baton.app.openapi())


@pytest.fixture(scope="module")
def setup_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        served_setup(tmp_path_factory.mktemp("fuzz-setup")) as served,
        httpx.Client(base_url=served.url) as opened,
    ):
        yield opened


@CI
@given(webhook_requests(SECRET))
def test_no_delivery_gets_a_5xx_and_none_unsigned_is_taken(
    client: httpx.Client, request_: Request
) -> None:
    outcome, answer = surfaces.sent(client, request_)

    assert outcome.kind == "ok", outcome.detail
    signature = request_.headers.get("x-hub-signature-256", b"").decode("latin-1")
    if request_.method == "POST" and not verify_signature(SECRET, request_.body, signature):
        assert answer is not None and answer.status_code == 401


@CI
@given(sign_in_requests(TOKEN))
def test_no_sign_in_gets_a_5xx(client: httpx.Client, request_: Request) -> None:
    outcome = surfaces.answered(client, request_)

    assert outcome.kind == "ok", outcome.detail


@CI
@given(setup_requests(SETUP_TOKEN))
def test_no_request_to_the_set_up_pages_gets_a_5xx(
    setup_client: httpx.Client, request_: Request
) -> None:
    outcome = surfaces.answered(setup_client, request_)

    assert outcome.kind == "ok", outcome.detail


@CI
@given(data=st.data())
def test_no_api_request_with_the_token_gets_a_5xx(
    baton: Served, api: st.SearchStrategy[Case], data: st.DataObject
) -> None:
    outcome, _ = surfaces.api_answered(data.draw(api, label="case"), baton.url, TOKEN)

    assert outcome.kind == "ok", outcome.detail


@CI
@given(data=st.data())
def test_without_the_token_the_api_answers_only_refusals(
    baton: Served, api: st.SearchStrategy[Case], data: st.DataObject
) -> None:
    outcome, status = surfaces.api_answered(data.draw(api, label="case"), baton.url, None)

    assert outcome.kind == "ok", outcome.detail
    assert 400 <= status < 500


# Python's JSON reader takes NaN, Infinity and half a surrogate pair; the 422 echoing them could
# not be written, and answered 500.
NOT_JSON_SAFE = [
    b'{"repo": "octo/demo", "workflow": "x", "extra": Infinity}',
    b'{"repo": NaN, "workflow": "x"}',
    b'{"repo": "octo/demo", "workflow": "x", "inputs": {"\\udbce": 1}}',
]


@CI
@given(run_requests(REPO, WORKFLOW))
@example((NOT_JSON_SAFE[0], None))
@example((NOT_JSON_SAFE[2], "key-1"))
def test_no_run_request_gets_a_5xx_and_each_run_started_can_be_polled(
    client: httpx.Client, sent: tuple[bytes, str | None]
) -> None:
    outcome = surfaces.run_started(client, *sent, token=TOKEN)

    assert outcome.kind == "ok", outcome.detail


@pytest.mark.parametrize("body", NOT_JSON_SAFE)
def test_a_request_holding_what_json_cannot_answer_is_refused_with_a_readable_422(
    client: httpx.Client, body: bytes
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    headers["X-Forwarded-For"] = surfaces.new_address()  # the fuzzing's wrong tokens count not

    answer = client.post("/api/runs", content=body, headers=headers)

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][0] == "body"
