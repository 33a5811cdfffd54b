"""What every part of the GitHub adapter shares: the client of one installation (or one
personal token), the login Baton writes as, the turn a content write waits for, and the
lookups of Baton's own comments, reviews and check runs that several parts make."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from githubkit import GitHub, Response
from githubkit.rest import Paginator
from githubkit_schemas.latest.models import CheckRun as KitCheckRun
from githubkit_schemas.latest.models import (
    IssueComment,
    PullRequestReview,
    ReposOwnerRepoCommitsRefCheckRunsGetResponse200,
)

from bot.adapters import github_convert as convert
from bot.adapters.github_pacing import Pace, wait_for_turn
from bot.adapters.github_retry import RequestRetries
from bot.ports.github import Review

AppLogin = Callable[[], Awaitable[str]]  # the App's bot login, looked up once


class CommentIds(Protocol):
    """Where the adapter remembers which comment carries a marker (Baton's database), so a
    summary is edited without listing the pull's comments to find it."""

    def comment_id(self, repo: str, number: int, marker: str) -> int | None: ...

    def remember_comment(self, repo: str, number: int, marker: str, comment_id: int) -> None: ...


def _check_runs(
    response: Response[ReposOwnerRepoCommitsRefCheckRunsGetResponse200],
) -> list[KitCheckRun]:
    return response.parsed_data.check_runs


class GitHubCore:
    """The state and lookups the adapter's parts share; each part adds the calls of one kind."""

    def __init__(
        self,
        github: GitHub[Any],
        own_login: str | None = None,
        app_login: AppLogin | None = None,
        retry: RequestRetries | None = None,
        pace: Pace | None = None,
        comment_ids: CommentIds | None = None,
    ) -> None:
        # An App writes as a Bot user; a personal token writes as its own user, so the
        # token adapter recognises its comments by login ("" = not looked up yet).
        self._gh = github
        self._own_login = own_login
        self._app_login = app_login
        self._retry = retry or RequestRetries()  # the client's, for writes sent again by hand
        self._pace = pace
        self._comment_ids = comment_ids

    async def _paced(self, *what: object) -> bool:
        """Wait for the installation's turn to create content (bot/adapters/github_pacing.py)."""
        return await wait_for_turn(self, self._pace, *what)

    async def _ours(self) -> str | None:
        if self._own_login == "":
            response = await self._gh.arequest("GET", "/user")
            self._own_login = str(response.json()["login"])
        return self._own_login

    async def _author_login(self) -> str:
        """The login Baton writes as: the App's `<slug>[bot]`, or the token's own user."""
        own = await self._ours()
        if own:
            return own
        if self._app_login is None:
            raise ValueError("this adapter knows neither its App nor its token's user")
        return await self._app_login()

    def _comment_pages(self, repo: str, number: int) -> Paginator[IssueComment]:
        """Every comment on an issue or pull, oldest first, 100 to a request."""
        owner, name = convert.split_repo(repo)
        return self._gh.rest.paginate(
            self._gh.rest.issues.async_list_comments,
            owner=owner,
            repo=name,
            issue_number=number,
            per_page=100,
        )

    async def _find_review(
        self, repo: str, number: int, matches: Callable[[PullRequestReview], bool]
    ) -> Review | None:
        """The first of Baton's own reviews on the pull that `matches`."""
        owner, name = convert.split_repo(repo)
        own_login = await self._author_login()
        pages: Paginator[PullRequestReview] = self._gh.rest.paginate(
            self._gh.rest.pulls.async_list_reviews,
            owner=owner,
            repo=name,
            pull_number=number,
            per_page=100,
        )
        async for review in pages:
            if review.user is not None and review.user.login == own_login and matches(review):
                return convert.to_review(review)
        return None

    async def _find_check_run(self, repo: str, sha: str, name: str, external_id: str) -> int | None:
        owner, repo_name = convert.split_repo(repo)
        pages = self._gh.rest.paginate(
            self._gh.rest.checks.async_list_for_ref,
            _check_runs,
            owner=owner,
            repo=repo_name,
            ref=sha,
            check_name=name,
            filter_="all",
            per_page=100,
        )
        async for run in pages:
            if run.external_id == external_id:
                return run.id
        return None
