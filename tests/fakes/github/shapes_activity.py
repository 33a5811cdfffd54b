"""The JSON of pulls, comments, reviews, reactions, check runs, branches and permissions."""

from __future__ import annotations

from typing import Any

from tests.fakes.github import state
from tests.fakes.github.shapes import WEB, AccountShapes, iso

PERMISSION_OF_ROLE = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}
REVIEW_STATE = {
    "COMMENT": "COMMENTED",
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
}


class ActivityShapes(AccountShapes):
    """Pulls, their files, comments, reviews and reactions, and roles."""

    def _pull_url(self, repo: state.Repo, number: int) -> str:
        return f"{self.api}/repos/{repo.full_name}/pulls/{number}"

    def pull(self, repo: state.Repo, pull: state.Pull) -> dict[str, Any]:
        url = self._pull_url(repo, pull.number)
        issue = f"{self.api}/repos/{repo.full_name}/issues/{pull.number}"
        html = f"{WEB}/{repo.full_name}/pull/{pull.number}"
        links = {
            "self": url,
            "html": html,
            "issue": issue,
            "comments": f"{issue}/comments",
            "review_comments": f"{url}/comments",
            "review_comment": f"{self.api}/repos/{repo.full_name}/pulls/comments{{/number}}",
            "commits": f"{url}/commits",
            "statuses": f"{self.api}/repos/{repo.full_name}/statuses/{pull.head_sha}",
        }
        files = pull.files
        return {
            "url": url,
            "id": repo.id * 100_000 + pull.number,
            "node_id": f"PR_{repo.id}_{pull.number}",
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self.user(pull.author),
            "body": pull.body or None,
            "labels": [],
            "milestone": None,
            "draft": pull.draft,
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.created_at),
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": None,
            "head": self._end(repo, pull.head_ref, pull.head_sha, pull.author),
            "base": self._end(repo, pull.base_ref, pull.base_sha, repo.owner),
            "_links": {key: {"href": href} for key, href in links.items()},
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue,
            "commits_url": links["commits"],
            "review_comments_url": links["review_comments"],
            "review_comment_url": links["review_comment"],
            "comments_url": links["comments"],
            "statuses_url": links["statuses"],
            "author_association": "CONTRIBUTOR",
            "auto_merge": None,
            "merged": False,
            "mergeable": True,
            "mergeable_state": "clean",
            "merged_by": None,
            "comments": sum(c.number == pull.number for c in repo.comments.values()),
            "review_comments": sum(len(r.comments) for r in repo.reviews.values()),
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": sum(f.get("additions", 0) for f in files),
            "deletions": sum(f.get("deletions", 0) for f in files),
            "changed_files": len(files),
        }

    def _end(self, repo: state.Repo, ref: str, sha: str, user: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.user(user),
            "repo": self.repo(repo),
        }

    def pull_file(self, repo: state.Repo, sha: str, entry: dict[str, Any]) -> dict[str, Any]:
        name = entry["filename"]
        text = repo.commits[sha].tree.get(name) if sha in repo.commits else None
        shown = {
            "sha": state.blob_sha(text) if text is not None else None,
            "status": "modified",
            "additions": 0,
            "deletions": 0,
            "changes": 0,
            "blob_url": f"{WEB}/{repo.full_name}/blob/{sha}/{name}",
            "raw_url": f"{WEB}/{repo.full_name}/raw/{sha}/{name}",
            "contents_url": f"{self.api}/repos/{repo.full_name}/contents/{name}?ref={sha}",
            **entry,
        }
        return {key: value for key, value in shown.items() if value is not None or key == "sha"}

    def comment(self, repo: state.Repo, comment: state.IssueComment) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}/issues"
        kind = "pull" if repo.pull(comment.number) else "issues"
        return {
            "id": comment.id,
            "node_id": f"IC_{comment.id}",
            "url": f"{base}/comments/{comment.id}",
            "html_url": f"{WEB}/{repo.full_name}/{kind}/{comment.number}#issuecomment-{comment.id}",
            "body": comment.body,
            "user": self.user(comment.author),
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
            "issue_url": f"{base}/{comment.number}",
            "author_association": "NONE",
        }

    def review(self, repo: state.Repo, review: state.Review) -> dict[str, Any]:
        pull_url = self._pull_url(repo, review.number)
        html = f"{WEB}/{repo.full_name}/pull/{review.number}#pullrequestreview-{review.id}"
        return {
            "id": review.id,
            "node_id": f"PRR_{review.id}",
            "user": self.user(review.author),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "submitted_at": iso(review.submitted_at),
            "commit_id": review.commit_id,
            "author_association": "NONE",
        }

    def review_comment(
        self, repo: state.Repo, number: int, c: state.ReviewComment
    ) -> dict[str, Any]:
        pull_url = self._pull_url(repo, number)
        url = f"{self.api}/repos/{repo.full_name}/pulls/comments/{c.id}"
        html = f"{WEB}/{repo.full_name}/pull/{number}#discussion_r{c.id}"
        return {
            "url": url,
            "pull_request_review_id": c.review_id,
            "id": c.id,
            "node_id": f"PRRC_{c.id}",
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "commit_id": c.commit_id,
            "original_commit_id": c.commit_id,
            "user": self.user(c.author),
            "body": c.body,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.created_at),
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": "NONE",
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "pull_request": {"href": pull_url},
            },
            "line": c.line,
            "original_line": c.line,
            "side": c.side,
            "start_line": c.start_line,
            "start_side": c.side if c.start_line else None,
            "subject_type": "line",
        }

    def reaction(self, reaction: state.Reaction) -> dict[str, Any]:
        return {
            "id": reaction.id,
            "node_id": f"REA_{reaction.id}",
            "user": self.user(reaction.author),
            "content": reaction.content,
            "created_at": iso(reaction.created_at),
        }

    def permission(self, user: str, role: str) -> dict[str, Any]:
        permission = PERMISSION_OF_ROLE[role]
        levels = ["pull", "triage", "push", "maintain", "admin"]
        granted = levels[: ("read", "triage", "write", "maintain", "admin").index(role) + 1]
        return {
            "permission": permission,
            "role_name": role,
            "user": {
                **self.user(user),
                "permissions": {level: level in granted for level in levels},
                "role_name": role,
            },
        }
