"""The branches part of the GitHub adapter: branches, trees, one-commit branches, and pulls."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Final, Literal

from githubkit.exception import RequestFailed
from githubkit.rest import Paginator
from githubkit_schemas.latest.models import PullRequestSimple
from githubkit_schemas.latest.types import ReposOwnerRepoGitTreesPostBodyPropTreeItemsType

from bot.adapters import github_convert as convert
from bot.adapters.github_core import GitHubCore
from bot.adapters.github_errors import error_message, raises_port_errors, unless_missing
from bot.adapters.github_retry import send_once
from bot.ports.github import PullRequest

log = logging.getLogger("baton.github")
FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# A plain file: Baton writes no executables or symlinks.
FILE_MODE: Final[Literal["100644"]] = "100644"
DRAFTS_UNSUPPORTED = "Draft pull requests are not supported"  # private repos on free plans
TreeEntry = ReposOwnerRepoGitTreesPostBodyPropTreeItemsType


@raises_port_errors
class GitHubBranches(GitHubCore):
    """Branches and pulls for one installation (or one personal token)."""

    async def get_branch_sha(self, repo: str, branch: str) -> str:
        owner, name = convert.split_repo(repo)
        response = await self._gh.rest.repos.async_get_branch(owner, name, branch)
        return response.parsed_data.commit.sha

    async def get_pull(self, repo: str, number: int) -> PullRequest:
        response = await self._gh.rest.pulls.async_get(*convert.split_repo(repo), number)
        return convert.to_pull(response.parsed_data)

    async def find_branch(self, repo: str, branch: str) -> str | None:
        owner, name = convert.split_repo(repo)
        # The singular `git/ref` matches exactly; `git/refs/heads/x` also lists x/…
        ref = await unless_missing(self._gh.rest.git.async_get_ref(owner, name, f"heads/{branch}"))
        return None if ref is None else ref.parsed_data.object_.sha

    async def list_tree(self, repo: str, ref: str) -> list[str]:
        owner, name = convert.split_repo(repo)
        # A branch is resolved first: `git/trees/feature/x` would not say which part is
        # the branch.
        sha = ref if FULL_SHA.fullmatch(ref) else await self.get_branch_sha(repo, ref)
        response = await self._gh.rest.git.async_get_tree(owner, name, sha, recursive="1")
        tree = response.parsed_data
        if tree.truncated:
            count = len(tree.tree)
            log.warning("%s at %s: GitHub truncated the listing at %d entries", repo, ref, count)
        return sorted(entry.path for entry in tree.tree if entry.type == "blob")

    async def commit_files(
        self,
        repo: str,
        branch: str,
        base_sha: str,
        files: Mapping[str, str | None],
        message: str,
    ) -> str:
        if not files:
            raise ValueError(f"nothing to commit on {branch!r}: no files were given")
        owner, name = convert.split_repo(repo)
        git = self._gh.rest.git
        base = (await git.async_get_commit(owner, name, base_sha)).parsed_data
        entries = [await self._tree_entry(owner, name, path, text) for path, text in files.items()]
        tree = await git.async_create_tree(owner, name, base_tree=base.tree.sha, tree=entries)
        tree_sha = tree.parsed_data.sha
        head = await self.find_branch(repo, branch)
        if head is not None and await self._holds(owner, name, head, base_sha, tree_sha):
            return head
        commit = await git.async_create_commit(
            owner, name, message=message, tree=tree_sha, parents=[base_sha]
        )
        await self._point_branch(owner, name, branch, commit.parsed_data.sha, head is not None)
        return commit.parsed_data.sha

    async def _tree_entry(self, owner: str, name: str, path: str, text: str | None) -> TreeEntry:
        if text is None:
            return {"path": path, "mode": FILE_MODE, "type": "blob", "sha": None}
        git = self._gh.rest.git
        blob = await git.async_create_blob(owner, name, content=text, encoding="utf-8")
        return {"path": path, "mode": FILE_MODE, "type": "blob", "sha": blob.parsed_data.sha}

    async def _holds(self, owner: str, name: str, head: str, base_sha: str, tree: str) -> bool:
        """Whether `head` already is one commit on `base_sha` with `tree` (trees are named by
        their content, so the same files give the same tree sha)."""
        commit = (await self._gh.rest.git.async_get_commit(owner, name, head)).parsed_data
        return commit.tree.sha == tree and [p.sha for p in commit.parents] == [base_sha]

    async def _point_branch(
        self, owner: str, name: str, branch: str, sha: str, exists: bool
    ) -> None:
        git = self._gh.rest.git
        if not exists:
            try:
                await git.async_create_ref(owner, name, ref=f"refs/heads/{branch}", sha=sha)
                return
            except RequestFailed as exc:
                # Made since we looked (say, by a run whose answer was lost): move it instead.
                if exc.response.status_code != 422 or "already exists" not in error_message(exc):
                    raise
        await git.async_update_ref(owner, name, f"heads/{branch}", sha=sha, force=True)

    async def find_pull_by_head(self, repo: str, branch: str) -> PullRequest | None:
        owner, name = convert.split_repo(repo)
        pages: Paginator[PullRequestSimple] = self._gh.rest.paginate(
            self._gh.rest.pulls.async_list,
            owner=owner,
            repo=name,
            head=f"{owner}:{branch}",  # GitHub ignores a head filter without its owner
            state="all",
            per_page=100,
        )
        found = [pull async for pull in pages if pull.head.ref == branch]
        if not found:
            return None
        return convert.to_pull(min(found, key=lambda p: (p.state != "open", -p.number)))

    async def create_pull(
        self, repo: str, head: str, base: str, title: str, body: str, draft: bool = True
    ) -> PullRequest:
        owner, name = convert.split_repo(repo)

        async def create() -> PullRequest:
            return await self._open_pull(owner, name, head, base, title, body, draft)

        async def find() -> PullRequest | None:
            found = await self.find_pull_by_head(repo, head)
            return found if found and found.state == "open" and found.base_ref == base else None

        await self._paced("pull", repo, head, base)
        return await send_once(create, find, self._retry)

    async def _open_pull(
        self, owner: str, name: str, head: str, base: str, title: str, body: str, draft: bool
    ) -> PullRequest:
        pulls = self._gh.rest.pulls
        try:
            response = await pulls.async_create(
                owner, name, head=head, base=base, title=title, body=body, draft=draft
            )
        except RequestFailed as exc:
            # A 422 means nothing was made, so asking again without draft is safe.
            if not draft or exc.response.status_code != 422:
                raise
            if DRAFTS_UNSUPPORTED not in error_message(exc):
                raise
            response = await pulls.async_create(
                owner, name, head=head, base=base, title=title, body=body, draft=False
            )
        return convert.to_pull(response.parsed_data)

    async def update_pull(self, repo: str, number: int, title: str, body: str) -> PullRequest:
        current = await self.get_pull(repo, number)
        # An edit sends a `pull_request.edited` webhook; an unchanged pull is left alone.
        if (current.title, current.body) == (title, body):
            return current
        owner, name = convert.split_repo(repo)
        response = await self._gh.rest.pulls.async_update(
            owner, name, number, title=title, body=body
        )
        return convert.to_pull(response.parsed_data)
