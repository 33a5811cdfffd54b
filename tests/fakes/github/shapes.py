"""The JSON GitHub sends for each object, with every field githubkit's models require."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.github import state

WEB = "https://github.com"
# The `…_url` fields of a repository, each `{api}/repos/{full_name}/{suffix}`.
REPO_URLS = {
    "archive_url": "{archive_format}{/ref}",
    "assignees_url": "assignees{/user}",
    "blobs_url": "git/blobs{/sha}",
    "branches_url": "branches{/branch}",
    "collaborators_url": "collaborators{/collaborator}",
    "comments_url": "comments{/number}",
    "commits_url": "commits{/sha}",
    "compare_url": "compare/{base}...{head}",
    "contents_url": "contents/{+path}",
    "contributors_url": "contributors",
    "deployments_url": "deployments",
    "downloads_url": "downloads",
    "events_url": "events",
    "forks_url": "forks",
    "git_commits_url": "git/commits{/sha}",
    "git_refs_url": "git/refs{/sha}",
    "git_tags_url": "git/tags{/sha}",
    "hooks_url": "hooks",
    "issue_comment_url": "issues/comments{/number}",
    "issue_events_url": "issues/events{/number}",
    "issues_url": "issues{/number}",
    "keys_url": "keys{/key_id}",
    "labels_url": "labels{/name}",
    "languages_url": "languages",
    "merges_url": "merges",
    "milestones_url": "milestones{/number}",
    "notifications_url": "notifications{?since,all,participating}",
    "pulls_url": "pulls{/number}",
    "releases_url": "releases{/id}",
    "stargazers_url": "stargazers",
    "statuses_url": "statuses/{sha}",
    "subscribers_url": "subscribers",
    "subscription_url": "subscription",
    "tags_url": "tags",
    "teams_url": "teams",
    "trees_url": "git/trees{/sha}",
}
USER_URLS = {
    "followers_url": "followers",
    "following_url": "following{/other_user}",
    "gists_url": "gists{/gist_id}",
    "starred_url": "starred{/owner}{/repo}",
    "subscriptions_url": "subscriptions",
    "organizations_url": "orgs",
    "repos_url": "repos",
    "events_url": "events{/privacy}",
    "received_events_url": "received_events",
}


def iso(at: float | None) -> str | None:
    return None if at is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


@dataclass(frozen=True)
class AccountShapes:
    """Renders accounts, repositories and files; `api` is the fake's base URL (no final /)."""

    api: str
    app_id: int
    app_slug: str
    app_owner: str
    who: Callable[[str], state.User]  # login → user, created on first sight

    def user(self, user: state.User | str) -> dict[str, Any]:
        user = self.who(user) if isinstance(user, str) else user
        url = f"{self.api}/users/{user.login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": f"U_{user.id}",
            "avatar_url": f"https://avatars.example.test/u/{user.id}",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{WEB}/{user.login}",
            **{key: f"{url}/{suffix}" for key, suffix in USER_URLS.items()},
            "type": user.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def repo(self, repo: state.Repo) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}"
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self.user(repo.owner),
            "html_url": f"{WEB}/{repo.full_name}",
            "description": None,
            "fork": False,
            "url": url,
            **{key: f"{url}/{suffix}" for key, suffix in REPO_URLS.items()},
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "clone_url": f"{WEB}/{repo.full_name}.git",
            "svn_url": f"{WEB}/{repo.full_name}",
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "license": None,
            "forks": 0,
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers": 0,
            "watchers_count": 0,
            "size": 0,
            "default_branch": repo.default_branch,
            "open_issues": 0,
            "open_issues_count": 0,
            "visibility": "private" if repo.private else "public",
            "has_pages": False,
            "disabled": False,
            "archived": False,
            "pushed_at": iso(repo.created_at),
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.created_at),
        }

    def full_repo(self, repo: state.Repo) -> dict[str, Any]:
        flags = ("has_issues", "has_projects", "has_wiki", "has_discussions")
        return {
            **self.repo(repo),
            **dict.fromkeys(flags, False),
            "subscribers_count": 0,
            "network_count": 0,
        }

    def app(self) -> dict[str, Any]:
        return {
            "id": self.app_id,
            "slug": self.app_slug,
            "client_id": f"Iv1.{self.app_id:016x}",
            "node_id": f"A_{self.app_id}",
            "owner": self.user(self.app_owner),
            "name": self.app_slug.capitalize(),
            "description": None,
            "external_url": f"{WEB}/apps/{self.app_slug}",
            "html_url": f"{WEB}/apps/{self.app_slug}",
            "created_at": iso(0),
            "updated_at": iso(0),
            "permissions": {"checks": "write", "contents": "write", "issues": "write"},
            "events": ["issue_comment", "pull_request"],
        }

    def installation(self, installation_id: int, owner: str) -> dict[str, Any]:
        account = self.who(owner)
        return {
            "id": installation_id,
            "account": self.user(account),
            "repository_selection": "selected",
            "access_tokens_url": f"{self.api}/app/installations/{installation_id}/access_tokens",
            "repositories_url": f"{self.api}/installation/repositories",
            "html_url": f"{WEB}/settings/installations/{installation_id}",
            "app_id": self.app_id,
            "app_slug": self.app_slug,
            "target_id": account.id,
            "target_type": account.type,
            "permissions": {"checks": "write", "contents": "write", "issues": "write"},
            "events": ["issue_comment", "pull_request"],
            "created_at": iso(0),
            "updated_at": iso(0),
            "single_file_name": None,
            "suspended_by": None,
            "suspended_at": None,
        }

    def content(self, repo: state.Repo, path: str, text: str, ref: str) -> dict[str, Any]:
        sha = state.blob_sha(text)
        url = f"{self.api}/repos/{repo.full_name}/contents/{path}?ref={ref}"
        html = f"{WEB}/{repo.full_name}/blob/{ref}/{path}"
        git = f"{self.api}/repos/{repo.full_name}/git/blobs/{sha}"
        return {
            "type": "file",
            "encoding": "base64",
            "size": len(text.encode()),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": base64.encodebytes(text.encode()).decode(),
            "sha": sha,
            "url": url,
            "git_url": git,
            "html_url": html,
            "download_url": f"https://raw.example.test/{repo.full_name}/{ref}/{path}",
            "_links": {"self": url, "git": git, "html": html},
        }
