"""The reading half of the GitHub adapter: repositories, pulls, files, roles, Baton's reviews."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from githubkit import GitHub, Response
from githubkit.rest import Paginator
from githubkit_schemas.latest.models import CheckRun as KitCheckRun
from githubkit_schemas.latest.models import (
    ContentFile,
    DiffEntry,
    PullRequestReview,
    ReposOwnerRepoCommitsRefCheckRunsGetResponse200,
)

from bot.adapters import github_convert as convert
from bot.adapters.github_branch_files import read_branch_files
from bot.adapters.github_errors import raises_port_errors, unless_missing
from bot.adapters.github_retry import RequestRetries
from bot.ports.github import (
    BranchFiles,
    FileContent,
    PullFile,
    PullRequest,
    Repository,
    Review,
    Role,
)

RAW = {"Accept": "application/vnd.github.raw+json"}
AppLogin = Callable[[], Awaitable[str]]  # the App's bot login, looked up once
# Waits for the installation's turn to create content; True on the write's first attempt.
Pace = Callable[[str], Awaitable[bool]]
# Turns taken ahead by `writes_coming` in this step attempt (its task), with the adapter that
# took them, by write: True when taken for the first time. Each is used once, by its write.
turns_taken: ContextVar[tuple[object, dict[str, bool]] | None] = ContextVar(
    "baton_turns_taken", default=None
)


class CommentIds(Protocol):
    """Where the adapter remembers which comment carries a marker (Baton's database), so a
    summary is edited without listing the pull's comments to find it."""

    def comment_id(self, repo: str, number: int, marker: str) -> int | None: ...

    def remember_comment(self, repo: str, number: int, marker: str, comment_id: int) -> None: ...


def _check_runs(
    response: Response[ReposOwnerRepoCommitsRefCheckRunsGetResponse200],
) -> list[KitCheckRun]:
    return response.parsed_data.check_runs


def write_name(*what: object) -> str:
    """The name a content write's turn is taken under: the same write, the same name."""
    text = "\n".join(map(str, what))
    return f"{what[0]}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


@raises_port_errors
class GitHubReads:
    """Reads for one installation (or one personal token)."""

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
        """Wait for the installation's turn before creating content (a comment, a review, an
        issue, a pull request): GitHub allows 80 a minute. `what` names the write, so asking
        again for the same one waits for the same turn. True when this is the write's first
        attempt in its run (nothing sent yet); False when that is not known."""
        if self._pace is None:
            return False
        write = write_name(*what)
        ahead = turns_taken.get()
        if ahead is not None and ahead[0] is self and write in ahead[1]:
            return ahead[1].pop(write)
        return await self._pace(write)

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

    async def get_repository(self, repo: str) -> Repository:
        found = (await self._gh.rest.repos.async_get(*convert.split_repo(repo))).parsed_data
        return Repository(
            full_name=found.full_name, default_branch=found.default_branch, private=found.private
        )

    async def get_branch_sha(self, repo: str, branch: str) -> str:
        owner, name = convert.split_repo(repo)
        response = await self._gh.rest.repos.async_get_branch(owner, name, branch)
        return response.parsed_data.commit.sha

    async def get_branch_files(
        self, repo: str, branch: str, paths: Sequence[str], directories: Sequence[str] = ()
    ) -> BranchFiles:
        answer = await read_branch_files(self._gh, repo, branch, paths, directories)
        files = dict(answer.files)
        for path in answer.unread:  # whole over REST, at the same commit
            if (found := await self.get_file(repo, path, answer.sha)) is not None:
                files[path] = found
        return BranchFiles(sha=answer.sha, files=files)

    async def get_pull(self, repo: str, number: int) -> PullRequest:
        response = await self._gh.rest.pulls.async_get(*convert.split_repo(repo), number)
        return convert.to_pull(response.parsed_data)

    async def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        owner, name = convert.split_repo(repo)
        pages: Paginator[DiffEntry] = self._gh.rest.paginate(
            self._gh.rest.pulls.async_list_files,
            owner=owner,
            repo=name,
            pull_number=number,
            per_page=100,
        )
        return [convert.to_pull_file(entry) async for entry in pages]

    async def get_file(self, repo: str, path: str, ref: str) -> FileContent | None:
        owner, name = convert.split_repo(repo)
        response = await unless_missing(
            self._gh.rest.repos.async_get_content(owner, name, path, ref=ref)
        )
        if response is None:
            return None
        found = response.parsed_data
        if not isinstance(found, ContentFile):
            return None  # a directory, symlink or submodule
        if found.encoding == "base64":
            return convert.to_file(found)
        # Files over 1 MB come without content; the raw media type returns them whole.
        raw = await self._gh.rest.repos.async_get_content(owner, name, path, ref=ref, headers=RAW)
        return convert.to_file(found, raw.text)

    async def get_permission(self, repo: str, user: str) -> Role:
        owner, name = convert.split_repo(repo)
        repos = self._gh.rest.repos
        response = await unless_missing(
            repos.async_get_collaborator_permission_level(owner, name, user)
        )
        if response is None:  # not a collaborator
            return "none"
        found = response.parsed_data
        return convert.to_role(found.role_name, found.permission)

    async def find_review(self, repo: str, number: int, marker: str) -> Review | None:
        return await self._find_review(repo, number, lambda review: marker in review.body)

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
