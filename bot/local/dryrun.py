"""A GitHub port for `--dry-run`: reads go to GitHub, writes are written down and never sent.

Only the methods the port lists in `READS` (bot/ports/github.py) reach GitHub. Every write the
port knows has a stand-in here that records it and answers as GitHub would have (id 0, no URL),
so steps carry on as if it had landed. Any other method, such as a write added to the port
later and not yet classified, is refused and recorded, never forwarded: a dry run must not
post by omission.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.ports.github import (
    READS,
    CheckRun,
    CheckRunUpdate,
    Comment,
    GitHubPort,
    Issue,
    NewComment,
    NewReview,
    PullRequest,
    Review,
    ReviewComment,
)

# Methods of GitHubPort that never reach GitHub, answered here: a dry run creates no content, so
# it has no turn to wait for.
UNSENT = frozenset({"writes_coming"})
NO_SHA = "0" * 40  # the sha of a commit that was never made


class WriteRefused(Exception):
    """A dry run met a method it does not know to be a read, and did not send it."""


@dataclass(frozen=True)
class Write:
    """One write the dry run kept from GitHub: the port method and its arguments by name."""

    method: str
    args: Mapping[str, Any]


class DryRunGitHub:
    """GitHubPort over `github` that forwards only `READS`; `writes` lists what was kept back."""

    def __init__(self, github: GitHubPort) -> None:
        self._github = github
        self.writes: list[Write] = []

    def __getattr__(self, name: str) -> Any:  # Any: mypy then takes it for the port's reads
        if name in READS:
            return getattr(self._github, name)
        if name.startswith("_") or not callable(getattr(self._github, name, None)):
            raise AttributeError(name)
        return self._refusal(name)

    def _refusal(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def refuse(*args: Any, **kwargs: Any) -> Any:
            self._record(name, args=list(args), kwargs=kwargs)
            raise WriteRefused(f"dry run: `{name}` is not known to be a read, so it was not sent")

        return refuse

    def _record(self, method: str, **args: Any) -> None:
        self.writes.append(Write(method, args))

    @contextlib.asynccontextmanager
    async def writes_coming(self, *writes: NewReview | NewComment) -> AsyncIterator[None]:
        yield

    async def upsert_comment(
        self, repo: str, number: int, marker: str, body: str, *, none_before: bool = False
    ) -> Comment:
        self._record("upsert_comment", repo=repo, number=number, marker=marker, body=body)
        return Comment(id=0, body=body, author="")

    async def create_review(
        self, repo: str, number: int, commit_sha: str, body: str, comments: list[ReviewComment]
    ) -> Review:
        self._record(
            "create_review",
            repo=repo,
            number=number,
            commit_sha=commit_sha,
            event="COMMENT",  # the only event the port posts
            body=body,
            comments=list(comments),
        )
        return Review(id=0, body=body)

    async def upsert_check_run(self, update: CheckRunUpdate, *, new: bool = False) -> CheckRun:
        self._record("upsert_check_run", update=update)
        return CheckRun(
            id=0, external_id=update.external_id, status=update.status, conclusion=update.conclusion
        )

    async def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self._record("add_reaction", repo=repo, comment_id=comment_id, content=content)

    async def create_issue(
        self, repo: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> Issue:
        self._record("create_issue", repo=repo, title=title, body=body, labels=list(labels))
        return Issue(number=0, id=0, title=title, body=body, author="", labels=list(labels))

    async def add_sub_issue(self, repo: str, number: int, sub_issue_id: int) -> None:
        self._record("add_sub_issue", repo=repo, number=number, sub_issue_id=sub_issue_id)

    async def commit_files(
        self,
        repo: str,
        branch: str,
        base_sha: str,
        files: Mapping[str, str | None],
        message: str,
    ) -> str:
        self._record(
            "commit_files",
            repo=repo,
            branch=branch,
            base_sha=base_sha,
            files=dict(files),
            message=message,
        )
        return NO_SHA

    async def create_pull(
        self, repo: str, head: str, base: str, title: str, body: str, draft: bool = True
    ) -> PullRequest:
        self._record(
            "create_pull", repo=repo, head=head, base=base, title=title, body=body, draft=draft
        )
        return PullRequest(
            number=0,
            title=title,
            body=body,
            draft=draft,
            author="",
            head_sha=NO_SHA,
            head_ref=head,
            base_ref=base,
            base_sha=NO_SHA,
        )

    async def update_pull(self, repo: str, number: int, title: str, body: str) -> PullRequest:
        self._record("update_pull", repo=repo, number=number, title=title, body=body)
        current = await self._github.get_pull(repo, number)
        return current.model_copy(update={"title": title, "body": body})
