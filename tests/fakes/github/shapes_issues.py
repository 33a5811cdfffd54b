"""The JSON of issues (and of pulls seen through the issues API) and their labels."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.fakes.github import state
from tests.fakes.github.shapes import WEB, iso
from tests.fakes.github.shapes_activity import ActivityShapes


class IssueShapes(ActivityShapes):
    """Issues, sub-issue summaries and labels."""

    def label(self, repo: state.Repo, name: str) -> dict[str, Any]:
        label_id = int(hashlib.sha1(f"{repo.id}\0{name}".encode()).hexdigest()[:8], 16)
        return {
            "id": label_id,
            "node_id": f"LA_{label_id}",
            "url": f"{self.api}/repos/{repo.full_name}/labels/{name}",
            "name": name,
            "description": None,
            "color": "ededed",
            "default": False,
        }

    def issue(self, repo: state.Repo, issue: state.Issue) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        is_pull = isinstance(issue, state.Pull)
        html = f"{WEB}/{repo.full_name}/{'pull' if is_pull else 'issues'}/{issue.number}"
        body: dict[str, Any] = {
            "id": issue.id,
            "node_id": f"I_{issue.id}",
            "url": url,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": html,
            "number": issue.number,
            "state": issue.state,
            "state_reason": None,
            "title": issue.title,
            "body": issue.body or None,
            "user": self.user(issue.author),
            "labels": [self.label(repo, name) for name in issue.labels],
            "assignees": [],
            "milestone": None,
            "locked": False,
            "comments": sum(c.number == issue.number for c in repo.comments.values()),
            "closed_at": None,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.created_at),
            "author_association": "OWNER" if issue.author == repo.owner else "NONE",
            "sub_issues_summary": self._summary(repo, issue),
        }
        if issue.parent is not None:
            body["parent_issue_url"] = f"{self.api}/repos/{repo.full_name}/issues/{issue.parent}"
        if isinstance(issue, state.Pull):
            body["draft"] = issue.draft
            body["pull_request"] = {
                "url": f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        return body

    def _summary(self, repo: state.Repo, issue: state.Issue) -> dict[str, int]:
        total = len(issue.sub_issues)
        done = sum(repo.issues[n].state == "closed" for n in issue.sub_issues)
        return {
            "total": total,
            "completed": done,
            "percent_completed": done * 100 // total if total else 0,
        }
