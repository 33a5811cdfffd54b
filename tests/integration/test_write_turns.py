"""Turns to create content taken together for a step's writes (`writes_coming`): each write
still knows whether it is its first attempt (the real adapter on the fake GitHub)."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.ports.github import NewComment, NewReview, ReviewComment
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.integration.on_fake import FAST, REPO
from tests.integration.test_fewer_github_calls import MARKER, made, warm

INLINE = [ReviewComment(path="app.py", line=1, body="x")]


class TogetherPermits:
    """The pace port as bot/engine/pacing.py answers it (True the first time a write asks), granting
    nothing until `together` writes are waiting: asked one after the other, they would hang."""

    def __init__(self, together: int) -> None:
        self.taken: set[str] = set()
        self.asked: list[str] = []
        self._together = together
        self._all_waiting = asyncio.Event()

    async def __call__(self, installation_id: int, what: str) -> bool:
        self.asked.append(what)
        if len(self.asked) >= self._together:
            self._all_waiting.set()
        await asyncio.wait_for(self._all_waiting.wait(), timeout=5)
        first = what not in self.taken
        self.taken.add(what)
        return first


def paced(fake: FakeGitHub, permits: TogetherPermits) -> GitHubAdapter:
    return GitHubApp(
        42, keys.app_private_key(), fake.base_url, FAST, pace=permits
    ).for_installation(7)


def coming(fake: FakeGitHub) -> tuple[NewReview, NewComment]:
    head = fake.pull(REPO, 3).head_sha
    return (
        NewReview(repo=REPO, number=3, commit_sha=head, body="run-1"),
        NewComment(repo=REPO, number=3, marker=MARKER),
    )


async def publish(github: GitHubAdapter, fake: FakeGitHub) -> None:
    review, comment = coming(fake)
    async with github.writes_coming(review, comment):
        await github.create_review(REPO, 3, review.commit_sha, review.body, INLINE)
        await github.upsert_comment(REPO, 3, MARKER, "1 finding", none_before=True)


async def test_a_review_and_its_summary_wait_for_their_turns_together_and_look_for_nothing(
    fake: FakeGitHub,
) -> None:
    permits = TogetherPermits(2)
    github = paced(fake, permits)
    await warm(github)
    before = len(fake.requests)

    await publish(github, fake)

    assert made(fake, before) == ["POST 3/reviews", "POST 3/comments"]
    assert len(permits.asked) == 2  # each turn taken once, ahead, and used by its write


async def test_a_step_run_again_after_posting_its_review_posts_nothing_twice(
    fake: FakeGitHub,
) -> None:
    permits = TogetherPermits(2)
    github = paced(fake, permits)
    review, comment = coming(fake)
    with pytest.raises(
        RuntimeError
    ):  # the first attempt fails after the review, before the summary
        async with github.writes_coming(review, comment):
            await github.create_review(REPO, 3, review.commit_sha, review.body, INLINE)
            raise RuntimeError("crashed")

    await publish(github, fake)  # its turns are not new now: each write looks first

    assert len(fake.reviews(REPO, 3)) == 1
    assert len(fake.comments(REPO, 3)) == 1
