"""The reads part of the GitHub adapter: repositories, pulls, files, roles, Baton's reviews."""

from __future__ import annotations

from collections.abc import Sequence

from githubkit.rest import Paginator
from githubkit_schemas.latest.models import (
    ContentFile,
    DiffEntry,
)

from bot.adapters import github_convert as convert
from bot.adapters.github_branch_files import read_branch_files
from bot.adapters.github_core import GitHubCore
from bot.adapters.github_errors import raises_port_errors, unless_missing
from bot.ports.github import (
    BranchFiles,
    FileContent,
    PullFile,
    Repository,
    Review,
    Role,
)

RAW = {"Accept": "application/vnd.github.raw+json"}


@raises_port_errors
class GitHubReads(GitHubCore):
    """Reads for one installation (or one personal token)."""

    async def get_repository(self, repo: str) -> Repository:
        found = (await self._gh.rest.repos.async_get(*convert.split_repo(repo))).parsed_data
        return Repository(
            full_name=found.full_name, default_branch=found.default_branch, private=found.private
        )

    async def get_branch_files(
        self, repo: str, branch: str, paths: Sequence[str], directories: Sequence[str] = ()
    ) -> BranchFiles:
        answer = await read_branch_files(self._gh, repo, branch, paths, directories)
        files = dict(answer.files)
        for path in answer.unread:  # whole over REST, at the same commit
            if (found := await self.get_file(repo, path, answer.sha)) is not None:
                files[path] = found
        return BranchFiles(sha=answer.sha, files=files)

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
