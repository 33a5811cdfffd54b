"""Which failed GitHub requests are sent again, and after how long."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.github_retry import Failure, RequestRetries, retry_delay

POLICY = RequestRetries(
    max_retries=3, backoff=timedelta(seconds=1), inline_wait=timedelta(seconds=5)
)
COMMENTS = "/repos/o/r/issues/1/comments"
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("failure", "retries_so_far", "expected"),
    [
        pytest.param(Failure("POST", COMMENTS, 502), 0, None, id="POST 502 could double a comment"),
        pytest.param(Failure("POST", COMMENTS, None), 0, None, id="POST timeout may have landed"),
        pytest.param(Failure("GET", "/repos/o/r", 502), 0, S, id="GET 502 is retried"),
        pytest.param(Failure("GET", "/repos/o/r", 502), 2, 4 * S, id="backoff doubles"),
        pytest.param(Failure("GET", "/repos/o/r", 502), 3, None, id="bounded"),
        pytest.param(Failure("HEAD", "/repos/o/r", 500), 0, S, id="HEAD 500 is retried"),
        pytest.param(Failure("PATCH", COMMENTS, 503), 1, 2 * S, id="PATCH is idempotent"),
        pytest.param(Failure("PUT", COMMENTS, 504), 0, S, id="PUT is idempotent"),
        pytest.param(Failure("DELETE", COMMENTS, 500), 0, S, id="DELETE is idempotent"),
        pytest.param(Failure("GET", "/repos/o/r", None), 0, S, id="GET timeout is retried"),
        pytest.param(Failure("GET", "/repos/o/r", 404), 0, None, id="404 is an answer"),
        pytest.param(Failure("PATCH", COMMENTS, 422), 0, None, id="422 is an answer"),
        pytest.param(
            Failure("POST", COMMENTS, 429, rate_limit_wait=5 * S),
            0,
            5 * S,
            id="429 waits retry-after in the request, even for POST",
        ),
        pytest.param(
            Failure("POST", COMMENTS, 403, rate_limit_wait=timedelta(0)),
            0,
            timedelta(0),
            id="rate limit already reset",
        ),
        pytest.param(
            Failure("GET", "/repos/o/r", 403, rate_limit_wait=6 * S),
            0,
            None,
            id="a longer wait fails the call, for the engine's durable sleep",
        ),
        pytest.param(
            Failure("GET", "/repos/o/r", 429, rate_limit_wait=S), 3, None, id="rate limit bounded"
        ),
        pytest.param(
            Failure("POST", COMMENTS, None, connect_failed=True),
            0,
            S,
            id="POST that never connected is safe",
        ),
        pytest.param(
            Failure("POST", "/app/installations/1/access_tokens", 502),
            0,
            S,
            id="token exchange POST is safe",
        ),
        pytest.param(
            Failure("POST", "/repos/o/r/git/blobs", 502), 0, S, id="a blob is named by its content"
        ),
        pytest.param(
            Failure("POST", "/repos/o/r/issues/comments/5/reactions", None),
            0,
            S,
            id="a reaction sent twice is one reaction",
        ),
        pytest.param(
            Failure("POST", "/repos/o/r/issues", 502), 0, None, id="an issue sent twice is two"
        ),
    ],
)
def test_retry_decision(failure: Failure, retries_so_far: int, expected: timedelta | None) -> None:
    assert retry_delay(failure, retries_so_far, POLICY) == expected


def test_a_write_the_caller_looked_for_may_be_sent_again_after_a_server_error() -> None:
    failure = Failure("POST", COMMENTS, 502)

    assert retry_delay(failure, 1, POLICY, safe=True) == 2 * S
    assert retry_delay(failure, 3, POLICY, safe=True) is None


def test_a_refused_write_is_not_sent_again_even_when_the_caller_looked() -> None:
    assert retry_delay(Failure("POST", COMMENTS, 422), 0, POLICY, safe=True) is None
