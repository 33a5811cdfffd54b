"""The GitHub adapter's retry policy against the fake failing the way GitHub fails: server
errors, timeouts, writes that landed though the answer was an error, and rate limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.adapters.github_retry import RequestRetries
from bot.ports.github import CheckRunUpdate, GitHubError, ReviewComment
from tests.fakes import keys
from tests.fakes.github import FakeGitHub, Reply, faults
from tests.fakes.github.state import Seen
from tests.integration.on_fake import REPO, adapter_on

MARKER = "<!-- baton:summary review -->"
BODY = f"Looks fine.\n{MARKER}"
# Retries a little apart, so the order requests arrive in is the order they were sent.
SPACED = RequestRetries(backoff=timedelta(seconds=0.05))
TIMEOUT = 0.3  # the adapter's; the fake stalls longer
STALL = 1.0


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files={"app.py": "print(1)\n"})
    fake.add_pull(REPO, number=3, head_files={"app.py": "print(2)\n"}, author="alice")
    with fake.serve():
        yield fake


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubAdapter:
    return adapter_on(fake, SPACED, timeout=TIMEOUT)


def by_arrival(requests: list[Seen]) -> list[int]:
    return [r.status for r in sorted(requests, key=lambda r: r.at)]


async def test_a_read_is_sent_again_after_a_502(fake: FakeGitHub, github: GitHubAdapter) -> None:
    fake.before_hooks.append(faults.fail("GET", "/pulls/3", 502, times=2))

    pull = await github.get_pull(REPO, 3)

    assert pull.number == 3
    assert by_arrival(fake.requests_to("GET", "/pulls/3")) == [502, 502, 200]


async def test_a_read_that_timed_out_is_sent_again(fake: FakeGitHub, github: GitHubAdapter) -> None:
    fake.before_hooks.append(faults.stall("GET", "/pulls/3", STALL))

    pull = await github.get_pull(REPO, 3)

    assert pull.number == 3
    await asyncio.sleep(STALL)  # the stalled request is recorded when the fake answers it
    assert by_arrival(fake.requests_to("GET", "/pulls/3")) == [504, 200]


async def test_a_comment_whose_post_timed_out_is_looked_for_then_posted_once(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.before_hooks.append(faults.stall("POST", "/issues/3/comments", STALL))

    await github.upsert_comment(REPO, 3, MARKER, BODY)

    await asyncio.sleep(STALL)
    posts = sorted(fake.requests_to("POST", "/issues/3/comments"), key=lambda r: r.at)
    looked = [r for r in fake.requests_to("GET", "/issues/3/comments") if r.at > posts[0].at]
    assert [p.status for p in posts] == [504, 201] and looked
    assert [c.body for c in fake.comments(REPO, 3)] == [BODY]


async def test_a_comment_posted_though_github_answered_502_is_found_not_posted_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.after_hooks.append(faults.fail_after("POST", "/issues/3/comments", 502))

    await github.upsert_comment(REPO, 3, MARKER, BODY)

    assert by_arrival(fake.requests_to("POST", "/issues/3/comments")) == [502]
    assert [c.body for c in fake.comments(REPO, 3)] == [BODY]


async def test_when_github_is_down_after_a_lost_answer_the_steps_retry_finds_the_comment(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    posted: list[Seen] = []

    def lost(seen: Seen, reply: Reply) -> Reply:
        posted.append(seen)
        return Reply(502, {"message": "Bad Gateway"})

    def down_after_the_post(seen: Seen) -> Reply | None:
        return Reply(502, {"message": "Bad Gateway"}) if posted and seen.method == "GET" else None

    fake.after_hooks.append(lost)
    fake.before_hooks.append(down_after_the_post)

    with pytest.raises(GitHubError) as failed:
        await github.upsert_comment(REPO, 3, MARKER, BODY)
    assert failed.value.status == 502 and not failed.value.permanent  # the engine runs it again
    fake.before_hooks.clear()
    fake.after_hooks.clear()
    await github.upsert_comment(REPO, 3, MARKER, BODY)  # the step's retry

    assert len(fake.requests_to("POST", "/issues/3/comments")) == 1
    assert [c.body for c in fake.comments(REPO, 3)] == [BODY]


async def test_a_review_posted_though_github_answered_502_is_found_not_posted_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    head = fake.pull(REPO, 3).head_sha
    fake.after_hooks.append(faults.fail_after("POST", "/pulls/3/reviews", 502))
    inline = [ReviewComment(path="app.py", line=1, side="RIGHT", body="Why 2?")]

    review = await github.create_review(REPO, 3, head, "<!-- baton:review r1 -->", inline)

    assert [r.id for r in fake.reviews(REPO, 3)] == [review.id]
    assert len(fake.requests_to("POST", "/pulls/3/reviews")) == 1


async def test_a_check_run_created_though_github_answered_502_is_updated_not_made_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    head = fake.pull(REPO, 3).head_sha
    fake.after_hooks.append(faults.fail_after("POST", "/check-runs", 502))
    update = CheckRunUpdate(
        repo=REPO,
        name="Baton: review",
        head_sha=head,
        external_id="run-1",
        status="in_progress",
        title="Reviewing",
        summary="1 of 4 steps done",
    )

    await github.upsert_check_run(update)

    assert [r.external_id for r in fake.check_runs(REPO, head)] == ["run-1"]
    assert len(fake.requests_to("POST", "/check-runs")) == 1


async def test_a_reaction_whose_answer_was_lost_is_simply_sent_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    comment = fake.add_comment(REPO, 3, "/review", author="alice")
    fake.after_hooks.append(faults.fail_after("POST", "/reactions", 502))

    await github.add_reaction(REPO, comment, "eyes")

    assert by_arrival(fake.requests_to("POST", "/reactions")) == [502, 200]
    assert [r.content for r in fake.reactions(REPO, comment)] == ["eyes"]


async def test_a_secondary_rate_limit_403_is_waited_out_even_for_a_post(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    limit = {"retry-after": "1"}
    fake.before_hooks.append(
        faults.fail("POST", "/issues/3/comments", 403, headers=limit, message=faults.SECONDARY)
    )

    await github.upsert_comment(REPO, 3, MARKER, BODY)

    refused, sent = sorted(fake.requests_to("POST", "/issues/3/comments"), key=lambda r: r.at)
    assert (refused.status, sent.status) == (403, 201)
    assert sent.at - refused.at >= 1.0
    assert len(fake.comments(REPO, 3)) == 1


async def test_a_spent_primary_limit_is_waited_out_until_its_reset(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    reset_at: list[float] = []

    def spent_once(seen: Seen) -> Reply | None:
        if seen.method != "GET" or not seen.path.endswith("/pulls/3") or reset_at:
            return None
        reply = faults.primary_limit(reset_in=1)
        reset_at.append(float(reply.headers["x-ratelimit-reset"]))
        return reply

    fake.before_hooks.append(spent_once)

    await github.get_pull(REPO, 3)

    assert by_arrival(fake.requests_to("GET", "/pulls/3")) == [403, 200]
    assert time.time() >= reset_at[0]  # the retry left no earlier than GitHub's reset


async def test_while_one_request_is_rate_limited_the_installations_others_wait(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.get_pull(REPO, 3)  # the token exchange, out of the way
    fake.before_hooks.append(faults.rate_limited("GET", "/pulls/3", retry_after=1))
    limited = asyncio.create_task(github.get_pull(REPO, 3))
    await asyncio.sleep(0.2)  # the 429 has been answered and read

    started = time.monotonic()
    await asyncio.gather(*(github.get_repository(REPO) for _ in range(5)))
    await limited

    refused = next(r for r in fake.requests if r.status == 429)
    during = [r for r in fake.requests if refused.at < r.at < refused.at + 1.0]
    assert during == []
    assert time.monotonic() - started >= 0.7


async def test_a_long_secondary_rate_limit_fails_the_write_with_the_wait_for_the_engine(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    """Longer than the adapter waits in a request: the engine sleeps it off durably (a DBOS
    sleep) and runs the step again; see tests/e2e/test_rate_limit_e2e.py."""
    limit = {"retry-after": "30"}
    fake.before_hooks.append(
        faults.fail("POST", "/issues/3/comments", 403, headers=limit, message=faults.SECONDARY)
    )

    with pytest.raises(GitHubError) as limited:
        await github.upsert_comment(REPO, 3, MARKER, BODY)

    assert limited.value.rate_limited and not limited.value.permanent
    assert limited.value.retry_after == 30.0
    assert by_arrival(fake.requests_to("POST", "/issues/3/comments")) == [403]
    assert fake.comments(REPO, 3) == []


async def test_a_spent_primary_limit_fails_with_the_time_until_its_reset(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.before_hooks.append(
        lambda seen: faults.primary_limit(reset_in=30) if seen.path.endswith("/pulls/3") else None
    )

    with pytest.raises(GitHubError) as limited:
        await github.get_pull(REPO, 3)

    assert limited.value.retry_after is not None and 25 <= limited.value.retry_after <= 31
    assert by_arrival(fake.requests_to("GET", "/pulls/3")) == [403]


async def test_while_the_installation_is_rate_limited_its_other_requests_are_not_sent(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.get_pull(REPO, 3)  # the token exchange, out of the way
    fake.before_hooks.append(faults.rate_limited("GET", "/pulls/3", retry_after=30))
    with pytest.raises(GitHubError):
        await github.get_pull(REPO, 3)
    sent = len(fake.requests)

    with pytest.raises(GitHubError) as held:
        await github.get_repository(REPO)

    assert held.value.rate_limited and held.value.retry_after is not None
    assert 25 < held.value.retry_after <= 30
    assert len(fake.requests) == sent  # GitHub never saw it


async def test_another_installation_is_not_held_by_one_installations_limit(
    fake: FakeGitHub,
) -> None:
    fake.add_repo("octo/other", installation_id=8, files={"a.py": "1\n"})
    app = GitHubApp(42, keys.app_private_key(), fake.base_url, SPACED, timeout=TIMEOUT)
    fake.before_hooks.append(faults.rate_limited("GET", "/repos/octo/widgets", retry_after=30))
    with pytest.raises(GitHubError):
        await app.for_installation(7).get_repository(REPO)

    other = await app.for_installation(8).get_repository("octo/other")

    assert other.full_name == "octo/other"


async def test_a_secondary_limit_that_names_no_wait_is_a_rate_limit_of_a_minute(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.before_hooks.append(faults.fail("GET", "/pulls/3", 403, message=faults.SECONDARY))

    with pytest.raises(GitHubError) as failed:
        await github.get_pull(REPO, 3)

    assert failed.value.rate_limited and not failed.value.permanent
    assert failed.value.retry_after == 60.0
    assert len(fake.requests_to("GET", "/pulls/3")) == 1
