"""The issues part of the GitHub adapter: read, comment threads, create, find again, sub-issues."""

from __future__ import annotations

from collections.abc import Sequence

from githubkit.exception import RequestFailed
from githubkit.rest import Paginator
from githubkit_schemas.latest.models import Issue as KitIssue

from bot.adapters import github_convert as convert
from bot.adapters.github_core import GitHubCore
from bot.adapters.github_errors import raises_port_errors, unless_missing
from bot.adapters.github_retry import send_once
from bot.ports.github import Comment, Issue


@raises_port_errors
class GitHubIssues(GitHubCore):
    """Issues for one installation (or one personal token)."""

    async def get_issue(self, repo: str, number: int) -> Issue:
        response = await self._gh.rest.issues.async_get(*convert.split_repo(repo), number)
        return convert.to_issue(response.parsed_data)

    async def list_comments(self, repo: str, number: int) -> list[Comment]:
        pages = self._comment_pages(repo, number)
        return [convert.to_comment(comment) async for comment in pages]

    async def find_own_comments(self, repo: str, number: int, prefix: str) -> list[Comment]:
        own = await self._author_login()
        comments = await self.list_comments(repo, number)
        return [c for c in comments if c.author == own and c.body.startswith(prefix)]

    async def get_comment(self, repo: str, comment_id: int) -> Comment | None:
        owner, name = convert.split_repo(repo)
        found = await unless_missing(
            self._gh.rest.issues.async_get_comment(owner, name, comment_id)
        )
        return None if found is None else convert.to_comment(found.parsed_data)

    async def create_issue(
        self, repo: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> Issue:
        owner, name = convert.split_repo(repo)

        async def create() -> Issue:
            response = await self._gh.rest.issues.async_create(
                owner, name, title=title, body=body, labels=list(labels)
            )
            return convert.to_issue(response.parsed_data)

        async def find() -> Issue | None:
            # Callers look their issue up by marker first, so one like it now is the lost one.
            same = [i for i in await self.find_issues_by_marker(repo, body) if i.title == title]
            return same[-1] if same else None

        await self._paced("issue", repo, title, body)
        return await send_once(create, find, self._retry)

    async def find_issues_by_marker(self, repo: str, marker: str) -> list[Issue]:
        owner, name = convert.split_repo(repo)
        login = await self._author_login()
        pages: Paginator[KitIssue] = self._gh.rest.paginate(
            self._gh.rest.issues.async_list_for_repo,
            owner=owner,
            repo=name,
            creator=login,
            state="all",
            sort="created",
            direction="asc",
            per_page=100,
        )
        found = [convert.to_issue(issue) async for issue in pages]
        # The listing holds pulls too; and `creator` is checked again rather than trusted,
        # since a human quoting the marker must never be mistaken for Baton.
        return [
            issue
            for issue in found
            if not issue.is_pull_request and issue.author == login and marker in issue.body
        ]

    async def list_sub_issues(self, repo: str, number: int) -> list[Issue]:
        owner, name = convert.split_repo(repo)
        pages: Paginator[KitIssue] = self._gh.rest.paginate(
            self._gh.rest.issues.async_list_sub_issues,
            owner=owner,
            repo=name,
            issue_number=number,
            per_page=100,
        )
        return [convert.to_issue(issue) async for issue in pages]

    async def add_sub_issue(self, repo: str, number: int, sub_issue_id: int) -> None:
        if await self._has_sub_issue(repo, number, sub_issue_id):
            return
        owner, name = convert.split_repo(repo)
        try:
            await self._gh.rest.issues.async_add_sub_issue(
                owner, name, number, sub_issue_id=sub_issue_id
            )
        except RequestFailed as exc:
            # GitHub refuses a duplicate with 422: another run linked it since we looked.
            if exc.response.status_code == 422 and await self._has_sub_issue(
                repo, number, sub_issue_id
            ):
                return
            raise

    async def _has_sub_issue(self, repo: str, number: int, sub_issue_id: int) -> bool:
        return any(issue.id == sub_issue_id for issue in await self.list_sub_issues(repo, number))
