"""FakeGitHub: seed repositories and pulls from Python, serve them over REST, inspect the result."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.fakes import keys
from tests.fakes.github import git, state
from tests.fakes.github.diff import diff_trees
from tests.fakes.github.inspection import Inspection
from tests.fakes.github.routes_manifests import ManifestApps
from tests.fakes.github.seed_issues import IssueSeeding
from tests.fakes.github.server import AfterHook, BeforeHook, build_app
from tests.fakes.serve import serve_in_thread


class FakeGitHub(IssueSeeding, Inspection, ManifestApps):
    """One GitHub App (`app_id`, verified with `public_key_pem`) and the repositories it sees."""

    def __init__(
        self,
        app_id: int = 1,
        public_key_pem: str | None = None,
        *,
        app_slug: str = "baton",
        app_owner: str = "baton-dev",
    ) -> None:
        self.app_id, self.app_slug, self.app_owner = app_id, app_slug, app_owner
        self.public_key_pem = public_key_pem or keys.app_public_key()
        self.lock = threading.RLock()
        self.token_ttl = 3600.0  # seconds an installation token lives
        self.tree_limit = 100_000  # entries in a recursive tree listing before it is truncated
        self.repos: dict[str, state.Repo] = {}
        self.users: dict[str, state.User] = {}
        self.tokens: dict[str, state.Token] = {}
        self.installations: set[int] = set()
        self.requests: list[state.Seen] = []
        self.before_hooks: list[BeforeHook] = []
        self.after_hooks: list[AfterHook] = []
        self.base_url = ""
        self._ids = itertools.count(1001)
        self.user(self.bot_login)

    @property
    def bot_login(self) -> str:
        """Who an installation token writes as: `baton[bot]`."""
        return f"{self.app_slug}[bot]"

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on loopback until the block ends; yields the API base URL."""
        with serve_in_thread(build_app(self)) as base_url:
            self.base_url = base_url
            yield base_url

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def user(self, login: str) -> state.User:
        """The user with this login, created on first sight (a Bot if it ends in `[bot]`)."""
        with self.lock:
            if login not in self.users:
                kind: state.UserType = "Bot" if login.endswith("[bot]") else "User"
                self.users[login] = state.User(login, self.next_id(), kind)
            return self.users[login]

    # Seeding ----------------------------------------------------------------------------

    def add_repo(
        self,
        full_name: str,
        *,
        installation_id: int = 1,
        default_branch: str = "main",
        private: bool = False,
        files: dict[str, str] | None = None,
        draft_pulls: bool = True,
    ) -> str:
        """A repository with one commit of `files` on `default_branch`; returns its sha.

        `draft_pulls=False` refuses draft pulls, as GitHub does for private repositories on
        free plans."""
        owner = full_name.split("/", 1)[0]
        with self.lock:
            self.user(owner)
            self.installations.add(installation_id)
            repo = state.Repo(
                self.next_id(), full_name, owner, installation_id, default_branch, private
            )
            repo.draft_pulls = draft_pulls
            self.repos[full_name] = repo
            return self._commit(repo, default_branch, dict(files or {}), "Initial commit", [])

    def commit(
        self, repo: str, branch: str, files: dict[str, str | None], message: str = "Change"
    ) -> str:
        """Commit on `branch` (made from the default branch if new); None deletes a file."""
        with self.lock:
            found = self.repos[repo]
            parent = found.branches.get(branch) or found.branches[found.default_branch]
            tree = dict(found.commits[parent].tree)
            for path, text in files.items():
                if text is None:
                    tree.pop(path, None)
                else:
                    tree[path] = text
            return self._commit(found, branch, tree, message, [parent])

    def _commit(
        self, repo: state.Repo, branch: str, tree: dict[str, str], message: str, parents: list[str]
    ) -> str:
        sha = git.add_commit(repo, tree, message, parents, self.next_id())
        repo.branches[branch] = sha
        return sha

    def add_pull(
        self,
        repo: str,
        *,
        number: int | None = None,
        title: str = "A change",
        body: str = "",
        author: str = "octocat",
        head_files: dict[str, str | None] | None = None,
        files: list[dict[str, Any]] | None = None,
        draft: bool = False,
        base: str | None = None,
        head_ref: str | None = None,
    ) -> str:
        """A pull from a new head branch; returns the head sha.

        `head_files` are committed on the head branch (None deletes a file); `files` is the
        pull's file list (see `pull_file`), computed from the two trees when not given.
        """
        with self.lock:
            found = self.repos[repo]
            number = number or max(found.issues, default=0) + 1
            base = base or found.default_branch
            self.user(author)
            pull = state.Pull(
                number,
                title,
                body,
                author,
                id=self.next_id(),
                head_ref=head_ref or f"pr-{number}",
                base_ref=base,
                base_sha=found.branches[base],
                draft=draft,
            )
            found.issues[number] = pull
            found.branches[pull.head_ref] = pull.base_sha
            return self._push(found, pull, head_files or {}, files)

    def push_to_pull(
        self,
        repo: str,
        number: int,
        *,
        head_files: dict[str, str | None] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> str:
        """A new commit on the pull's head branch; returns the new head sha."""
        with self.lock:
            found = self.repos[repo]
            pull = found.pull(number)
            if pull is None:
                raise KeyError(f"{repo} has no pull #{number}")
            return self._push(found, pull, head_files or {}, files)

    def _push(
        self,
        repo: state.Repo,
        pull: state.Pull,
        head_files: dict[str, str | None],
        files: list[dict[str, Any]] | None,
    ) -> str:
        sha = self.commit(repo.full_name, pull.head_ref, head_files, message=pull.title)
        if files is None:
            files = diff_trees(repo.commits[pull.base_sha].tree, repo.commits[sha].tree)
        pull.head_sha, pull.files = sha, list(files)
        pull.files_at[sha] = pull.files
        return sha

    def set_role(self, repo: str, user: str, role: str) -> None:
        """Make `user` a collaborator with `role` (read, triage, write, maintain, admin)."""
        if role not in state.Roles:
            raise ValueError(f"{role!r} is not one of {state.Roles}")
        with self.lock:
            self.user(user)
            self.repos[repo].roles[user] = role

    def add_user_token(self, login: str, token: str | None = None) -> str:
        """A personal access token for `login`; returns it."""
        with self.lock:
            value = token or f"ghp_{self.next_id():036d}"
            self.user(login)
            self.tokens[value] = state.Token(value, login, expires_at=float("inf"))
            return value
