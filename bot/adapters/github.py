"""The GitHub port over githubkit: App installations or a personal token, with explicit retries."""

from __future__ import annotations

from typing import Any

from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestFailed
from githubkit.rest import Paginator
from githubkit_schemas.latest.models import IssueComment

from bot.adapters import github_convert as convert
from bot.adapters.github_branches import GitHubBranches
from bot.adapters.github_errors import error_message, raises_port_errors
from bot.adapters.github_retry import RetryDecision, RetryPolicy
from bot.ports.github import (
    CheckRun,
    CheckRunUpdate,
    Comment,
    Review,
    ReviewComment,
    ReviewRejected,
)

DEFAULT_API_URL = "https://api.github.com"
REQUEST_TIMEOUT = 30.0  # seconds


def _options(api_url: str, retry: RetryPolicy | None) -> dict[str, Any]:
    # The HTTP cache is off: Baton lists comments right after writing them and must see the
    # write. githubkit's token cache is global by default and keyed by app and installation
    # but not by URL; each GitHubApp gets its own so two servers never share tokens.
    # githubkit sets no timeout by default: a stalled connection would hang a step forever.
    return {
        "base_url": api_url,
        "auto_retry": RetryDecision(retry),
        "http_cache": False,
        "cache_strategy": MemCacheStrategy(),
        "timeout": REQUEST_TIMEOUT,
        "user_agent": "Baton",
    }


class GitHubApp:
    """A GitHub App; hands out one adapter per installation, whose tokens githubkit caches."""

    def __init__(
        self,
        app_id: int,
        private_key: str,
        api_url: str = DEFAULT_API_URL,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._auth = AppAuthStrategy(app_id, private_key)
        self._options = _options(api_url, retry)
        self._adapters: dict[int, GitHubAdapter] = {}
        self._bot_login: str | None = None

    def for_installation(self, installation_id: int) -> GitHubAdapter:
        if installation_id not in self._adapters:
            github = GitHub(self._auth.as_installation(installation_id), **self._options)
            self._adapters[installation_id] = GitHubAdapter(github, app_login=self.bot_login)
        return self._adapters[installation_id]

    async def bot_login(self) -> str:
        """`<slug>[bot]`, the user the App writes as. Asked of GitHub (`GET /app`, with the
        App's JWT) once, rather than configured, since a wrong slug would make Baton blind to
        its own issues and open them again."""
        if self._bot_login is None:
            # Held in a name: `.rest` keeps only a weak reference to its client.
            as_app = GitHub(self._auth, **self._options)
            response = await as_app.rest.apps.async_get_authenticated()
            slug = response.parsed_data.slug if response.parsed_data else None
            if not slug:
                raise ValueError("GitHub's answer to GET /app has no slug")
            self._bot_login = f"{slug}[bot]"
        return self._bot_login


@raises_port_errors
class GitHubAdapter(GitHubBranches):
    """GitHubPort for one installation (or one personal token)."""

    @classmethod
    def with_token(
        cls, token: str, api_url: str = DEFAULT_API_URL, retry: RetryPolicy | None = None
    ) -> GitHubAdapter:
        return cls(GitHub(token, **_options(api_url, retry)), own_login="")

    async def upsert_comment(self, repo: str, number: int, marker: str, body: str) -> Comment:
        owner, name = convert.split_repo(repo)
        issues = self._gh.rest.issues
        body = convert.with_marker(body, marker)
        own_login = await self._ours()
        pages: Paginator[IssueComment] = self._gh.rest.paginate(
            issues.async_list_comments, owner=owner, repo=name, issue_number=number, per_page=100
        )
        async for comment in pages:
            # A human quoting the marker must never have their comment rewritten.
            if convert.is_ours(comment.user, own_login) and marker in (comment.body or ""):
                if comment.body == body:
                    return convert.to_comment(comment)
                edited = await issues.async_update_comment(owner, name, comment.id, body=body)
                return convert.to_comment(edited.parsed_data)
        created = await issues.async_create_comment(owner, name, number, body=body)
        return convert.to_comment(created.parsed_data)

    async def create_review(
        self,
        repo: str,
        number: int,
        commit_sha: str,
        body: str,
        comments: list[ReviewComment],
    ) -> Review:
        owner, name = convert.split_repo(repo)
        try:
            response = await self._gh.rest.pulls.async_create_review(
                owner,
                name,
                number,
                commit_id=commit_sha,
                body=body,
                event="COMMENT",
                comments=[
                    {"path": c.path, "line": c.line, "side": c.side, "body": c.body}
                    for c in comments
                ],
            )
        except RequestFailed as exc:
            if exc.response.status_code == 422:
                raise ReviewRejected(error_message(exc)) from exc
            raise
        return convert.to_review(response.parsed_data)

    async def upsert_check_run(self, update: CheckRunUpdate) -> CheckRun:
        if not update.repo:
            raise ValueError(f"check run {update.name!r} has no repository (CheckRunUpdate.repo)")
        owner, name = convert.split_repo(update.repo)
        checks = self._gh.rest.checks
        # githubkit checks the body against GitHub's schema before sending; its TypedDict
        # union cannot be narrowed from a dict built field by field, hence Any.
        body: Any = convert.check_run_body(update)
        created_body: Any = {**body, "head_sha": update.head_sha}
        found = await self._find_check_run(
            update.repo, update.head_sha, update.name, update.external_id
        )
        if found is None:
            created = await checks.async_create(owner, name, data=created_body)
            return convert.to_check_run(created.parsed_data)
        updated = await checks.async_update(owner, name, found, data=body)
        return convert.to_check_run(updated.parsed_data)

    async def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        owner, name = convert.split_repo(repo)
        await self._gh.rest.reactions.async_create_for_issue_comment(
            owner, name, comment_id, content=convert.to_reaction(content)
        )
