"""The writes part of the GitHub adapter: comments, reviews, check runs, reactions.

A POST whose answer is lost (a 5xx, or none) may have landed all the same; each create here
says how to find what it made, and is sent again only when that finds nothing (`send_once`).
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from githubkit.exception import RequestFailed
from githubkit_schemas.latest.models import IssueComment, PullRequestReview

from bot.adapters import github_convert as convert
from bot.adapters.github_core import GitHubCore
from bot.adapters.github_errors import error_message, raises_port_errors, unless_missing
from bot.adapters.github_pacing import turn_of, turns_ahead
from bot.adapters.github_retry import send_once
from bot.ports.github import (
    CheckRun,
    CheckRunUpdate,
    Comment,
    NewComment,
    NewReview,
    Review,
    ReviewComment,
    ReviewRejected,
)


@raises_port_errors
class GitHubWrites(GitHubCore):
    """Writes for one installation (or one personal token)."""

    def writes_coming(
        self, *writes: NewReview | NewComment
    ) -> contextlib.AbstractAsyncContextManager[None]:
        return turns_ahead(self, self._pace, writes)

    async def upsert_comment(
        self, repo: str, number: int, marker: str, body: str, *, none_before: bool = False
    ) -> Comment:
        owner, name = convert.split_repo(repo)
        issues = self._gh.rest.issues
        body = convert.with_marker(body, marker)

        async def create() -> IssueComment:
            return (await issues.async_create_comment(owner, name, number, body=body)).parsed_data

        turn = turn_of(NewComment(repo=repo, number=number, marker=marker))
        edited = await self._edit_known_comment(repo, number, marker, body)
        if edited is not None:
            return edited
        # A pull that had no comment cannot hold one with the marker, unless an earlier attempt
        # of this write posted it; the first attempt (a new permit) knows there was none.
        paced = none_before and await self._paced(*turn)
        found = None if paced else await self._find_comment(repo, number, marker)
        if found is None:
            if not paced:
                await self._paced(*turn)
            find = functools.partial(self._find_comment, repo, number, marker)
            made = await send_once(create, find, self._retry)
        elif found.body == body:
            made = found
        else:
            made = (await issues.async_update_comment(owner, name, found.id, body=body)).parsed_data
        self._remember_comment(repo, number, marker, made.id)
        return convert.to_comment(made)

    async def _edit_known_comment(
        self, repo: str, number: int, marker: str, body: str
    ) -> Comment | None:
        """Edit the comment remembered for the marker; None when none is, or GitHub no longer
        has it (deleted), and it must be looked for."""
        if self._comment_ids is None:
            return None
        known = self._comment_ids.comment_id(repo, number, marker)
        if known is None:
            return None
        owner, name = convert.split_repo(repo)
        edit = self._gh.rest.issues.async_update_comment(owner, name, known, body=body)
        edited = await unless_missing(edit)  # None: deleted since, to be looked for
        return None if edited is None else convert.to_comment(edited.parsed_data)

    def _remember_comment(self, repo: str, number: int, marker: str, comment_id: int) -> None:
        if self._comment_ids is not None:
            self._comment_ids.remember_comment(repo, number, marker, comment_id)

    async def _find_comment(self, repo: str, number: int, marker: str) -> IssueComment | None:
        own_login = await self._author_login()
        async for comment in self._comment_pages(repo, number):
            # Only Baton's own: a human quoting the marker must never have their comment
            # rewritten, nor another bot's copy of it be taken for Baton's.
            author = comment.user.login if comment.user else ""
            if author == own_login and marker in (comment.body or ""):
                return comment
        return None

    async def create_review(
        self,
        repo: str,
        number: int,
        commit_sha: str,
        body: str,
        comments: list[ReviewComment],
    ) -> Review:
        owner, name = convert.split_repo(repo)
        inline: Any = [
            {"path": c.path, "line": c.line, "side": c.side, "body": c.body} for c in comments
        ]

        async def create() -> Review:
            response = await self._gh.rest.pulls.async_create_review(
                owner,
                name,
                number,
                commit_id=commit_sha,
                body=body,
                event="COMMENT",
                comments=inline,
            )
            return convert.to_review(response.parsed_data)

        def sent(review: PullRequestReview) -> bool:
            return review.body == body and review.commit_id == commit_sha

        find = functools.partial(self._find_review, repo, number, sent)
        # On the write's first attempt (a new permit) nothing can have been posted yet.
        if not await self._paced(
            *turn_of(NewReview(repo=repo, number=number, commit_sha=commit_sha, body=body))
        ):
            found = await find()
            if found is not None:
                return found
        try:
            return await send_once(create, find, self._retry)
        except RequestFailed as exc:
            if exc.response.status_code == 422:
                raise ReviewRejected(error_message(exc)) from exc
            raise

    async def upsert_check_run(self, update: CheckRunUpdate, *, new: bool = False) -> CheckRun:
        if not update.repo:
            raise ValueError(f"check run {update.name!r} has no repository (CheckRunUpdate.repo)")
        repo, sha, external_id = update.repo, update.head_sha, update.external_id
        owner, name = convert.split_repo(repo)
        checks = self._gh.rest.checks
        # githubkit checks the body against GitHub's schema before sending; its TypedDict
        # union cannot be narrowed from a dict built field by field, hence Any.
        body: Any = convert.check_run_body(update)
        created_body: Any = {**body, "head_sha": sha}

        async def create() -> CheckRun:
            created = await checks.async_create(owner, name, data=created_body)
            return convert.to_check_run(created.parsed_data)

        async def update_run(run_id: int) -> CheckRun:
            updated = await checks.async_update(owner, name, run_id, data=body)
            return convert.to_check_run(updated.parsed_data)

        async def find() -> CheckRun | None:
            found = await self._find_check_run(repo, sha, update.name, external_id)
            return None if found is None else await update_run(found)

        if update.check_run_id is not None:
            try:
                return await update_run(update.check_run_id)
            except RequestFailed as exc:
                if exc.response.status_code != 404:
                    raise
        found = None if new else await self._find_check_run(repo, sha, update.name, external_id)
        if found is None:
            return await send_once(create, find, self._retry)
        return await update_run(found)

    async def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        owner, name = convert.split_repo(repo)
        await self._gh.rest.reactions.async_create_for_issue_comment(
            owner, name, comment_id, content=convert.to_reaction(content)
        )
