"""The JSON of the git data API: trees, blobs, commits and references."""

from __future__ import annotations

from typing import Any

from tests.fakes.github import git, state
from tests.fakes.github.shapes import WEB, iso
from tests.fakes.github.shapes_issues import IssueShapes

MODES = {"blob": "100644", "tree": "040000"}


class GitShapes(IssueShapes):
    """Git objects as the git data API shows them."""

    def _git(self, repo: state.Repo, kind: str, sha: str) -> str:
        return f"{self.api}/repos/{repo.full_name}/git/{kind}/{sha}"

    def tree(
        self, repo: state.Repo, sha: str, listed: list[git.Entry], truncated: bool = False
    ) -> dict[str, Any]:
        items = []
        for path, kind, item_sha, size in listed:
            item: dict[str, Any] = {"path": path, "mode": MODES[kind], "type": kind}
            item.update(sha=item_sha, url=self._git(repo, f"{kind}s", item_sha))
            if size is not None:
                item["size"] = size
            items.append(item)
        return {
            "sha": sha,
            "url": self._git(repo, "trees", sha),
            "tree": items,
            "truncated": truncated,
        }

    def blob(self, repo: state.Repo, sha: str) -> dict[str, Any]:
        return {"url": self._git(repo, "blobs", sha), "sha": sha}

    def git_commit(self, repo: state.Repo, commit: state.Commit) -> dict[str, Any]:
        person = {"name": "Fake Committer", "email": "fake@example.test", "date": iso(commit.at)}
        tree = git.tree_sha(commit.tree)
        return {
            "sha": commit.sha,
            "node_id": f"C_{commit.sha}",
            "url": self._git(repo, "commits", commit.sha),
            "html_url": f"{WEB}/{repo.full_name}/commit/{commit.sha}",
            "author": person,
            "committer": person,
            "message": commit.message,
            "tree": {"sha": tree, "url": self._git(repo, "trees", tree)},
            "parents": [
                {
                    "sha": sha,
                    "url": self._git(repo, "commits", sha),
                    "html_url": f"{WEB}/{repo.full_name}/commit/{sha}",
                }
                for sha in commit.parents
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def ref(self, repo: state.Repo, branch: str) -> dict[str, Any]:
        sha = repo.branches[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": f"REF_{repo.id}_{branch}",
            "url": self._git(repo, "refs/heads", branch),
            "object": {"type": "commit", "sha": sha, "url": self._git(repo, "commits", sha)},
        }
