"""The JSON of check runs, branches and commits; `Shapes` renders everything the fake sends."""

from __future__ import annotations

from typing import Any

from tests.fakes.github import git, state
from tests.fakes.github.shapes import WEB, iso
from tests.fakes.github.shapes_git import GitShapes


class Shapes(GitShapes):
    """Everything the fake sends, as GitHub's JSON."""

    def check_run(self, repo: state.Repo, run: state.CheckRun) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/check-runs/{run.id}"
        return {
            "id": run.id,
            "head_sha": run.head_sha,
            "node_id": f"CR_{run.id}",
            "external_id": run.external_id,
            "url": url,
            "html_url": f"{WEB}/{repo.full_name}/runs/{run.id}",
            "details_url": run.details_url,
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": iso(run.started_at),
            "completed_at": iso(run.completed_at),
            "output": {
                "title": run.title,
                "summary": run.summary,
                "text": run.text,
                "annotations_count": 0,
                "annotations_url": f"{url}/annotations",
            },
            "name": run.name,
            "check_suite": {"id": run.id},
            "app": self.app(),
            "pull_requests": [],
        }

    def commit(self, repo: state.Repo, commit: state.Commit) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/commits/{commit.sha}"
        git_url = f"{self.api}/repos/{repo.full_name}/git/commits/{commit.sha}"
        person = {"name": "Fake Committer", "email": "fake@example.test", "date": iso(commit.at)}
        tree = git.tree_sha(commit.tree)
        return {
            "url": url,
            "sha": commit.sha,
            "node_id": f"C_{commit.sha}",
            "html_url": f"{WEB}/{repo.full_name}/commit/{commit.sha}",
            "comments_url": f"{url}/comments",
            "commit": {
                "url": git_url,
                "author": person,
                "committer": person,
                "message": commit.message,
                "comment_count": 0,
                "tree": {"sha": tree, "url": self._git(repo, "trees", tree)},
            },
            "author": None,
            "committer": None,
            "parents": [
                {"sha": sha, "url": f"{self.api}/repos/{repo.full_name}/commits/{sha}"}
                for sha in commit.parents
            ],
        }

    def branch(self, repo: state.Repo, name: str) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/branches/{name}"
        return {
            "name": name,
            "commit": self.commit(repo, repo.commits[repo.branches[name]]),
            "_links": {"html": f"{WEB}/{repo.full_name}/tree/{name}", "self": url},
            "protected": False,
            "protection": {"enabled": False},
            "protection_url": f"{url}/protection",
        }
