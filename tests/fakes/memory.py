"""The ports in memory, for unit tests of steps: one pull request with its files, comments and
reviews on the GitHub side, and a model that answers each call with the findings for the files
it was shown. Tests assert on their state (the comment exists once), not on calls made."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

from pydantic import BaseModel

from bot.ports.github import (
    Comment,
    PullFile,
    PullRequest,
    Review,
    ReviewComment,
    ReviewRejected,
)
from bot.ports.llm import Completion, Message, Usage
from handlers.review.models import LLMFinding

T = TypeVar("T", bound=BaseModel)
HEAD = "abc1234567890"


class InMemoryGitHub:
    """The GitHub port, in memory: one PR, its files, its comments and reviews."""

    def __init__(self, files: list[PullFile], *, reject_reviews: bool = False) -> None:
        self.files = files
        self.reject_reviews = reject_reviews
        self.comments: list[Comment] = []
        self.reviews: list[tuple[Review, list[ReviewComment]]] = []
        self.head = HEAD
        self.pull_reads = 0

    async def get_pull(self, repo: str, number: int) -> PullRequest:
        self.pull_reads += 1
        return PullRequest(
            number=number, title="Add login", body="Adds a login form.", author="mona",
            head_sha=self.head, head_ref="login", base_ref="main", base_sha="base000",
        )  # fmt: skip

    async def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        return list(self.files)

    @contextlib.asynccontextmanager
    async def writes_coming(self, *writes: object) -> AsyncIterator[None]:
        yield  # no pace to keep in memory

    async def upsert_comment(
        self, repo: str, number: int, marker: str, body: str, *, none_before: bool = False
    ) -> Comment:
        assert marker in body
        for index, comment in enumerate(self.comments):
            if marker in comment.body:
                self.comments[index] = comment.model_copy(update={"body": body})
                return self.comments[index]
        comment = Comment(id=100 + len(self.comments), body=body, author="baton-app[bot]")
        self.comments.append(comment)
        return comment

    async def find_review(self, repo: str, number: int, marker: str) -> Review | None:
        return next((review for review, _ in self.reviews if marker in review.body), None)

    async def create_review(
        self, repo: str, number: int, commit_sha: str, body: str, comments: list[ReviewComment]
    ) -> Review:
        if self.reject_reviews:
            raise ReviewRejected("Unprocessable Entity: Line could not be resolved")
        posted = next((review for review, _ in self.reviews if review.body == body), None)
        if posted is not None:  # the port's promise: the same review asked again is not doubled
            return posted
        review = Review(id=500 + len(self.reviews), body=body, html_url="https://gh/review")
        self.reviews.append((review, comments))
        return review


class InMemoryLLM:
    """The LLM port: answers each call with `findings` for the files it was shown."""

    def __init__(self, findings: list[LLMFinding] | None = None) -> None:
        self.findings = findings or []
        self.prompts: list[str] = []  # the user message of each call

    async def complete(
        self, messages: list[Message], output: type[T], model: str, max_tokens: int = 4096
    ) -> Completion[T]:
        user = next(m.content for m in messages if m.role == "user")
        self.prompts.append(user)
        shown = [f for f in self.findings if f"\n{f.path}\n=== END FILE PATH" in user]
        answer = output.model_validate(
            {"summary": f"Summary of call {len(self.prompts)}.", "findings": shown}
        )
        return Completion[output](output=answer, usage=Usage(input_tokens=100, output_tokens=20),
                                  model=model)  # fmt: skip
