"""Seeding the fake GitHub's issues: issues, sub-issue links, and comments people left."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tests.fakes.github import state


class IssueSeeding:
    """The issue half of FakeGitHub's seeding API."""

    lock: threading.RLock
    repos: dict[str, state.Repo]
    user: Callable[[str], state.User]
    next_id: Callable[[], int]

    def add_issue(
        self,
        repo: str,
        *,
        number: int | None = None,
        title: str = "An issue",
        body: str = "",
        author: str = "octocat",
        labels: list[str] | None = None,
        closed: bool = False,
    ) -> int:
        """An issue; returns its number (its id, for the sub-issues API, is
        `fake.issue(repo, number).id`)."""
        with self.lock:
            found = self.repos[repo]
            number = number or max(found.issues, default=0) + 1
            self.user(author)
            status = "closed" if closed else "open"
            issue = state.Issue(number, title, body, author, status, id=self.next_id())
            issue.labels = list(labels or [])
            found.issues[number] = issue
            return number

    def add_sub_issue(self, repo: str, parent: int, child: int) -> None:
        """Make issue `child` a sub-issue of issue `parent` (both numbers)."""
        with self.lock:
            issues = self.repos[repo].issues
            if issues[child].parent is not None:
                raise ValueError(f"#{child} is already a sub-issue of #{issues[child].parent}")
            issues[child].parent = parent
            issues[parent].sub_issues.append(child)

    def add_comment(self, repo: str, number: int, body: str, *, author: str = "octocat") -> int:
        """A comment someone (a human, by default) left on an issue or pull; returns its id."""
        with self.lock:
            self.user(author)
            comment = state.IssueComment(self.next_id(), number, body, author)
            self.repos[repo].comments[comment.id] = comment
            return comment.id
