"""What tests read back from the fake GitHub: copies, safe to keep while the server runs."""

from __future__ import annotations

import copy
import threading
from typing import TypeVar

from tests.fakes.github import state

T = TypeVar("T")


class Inspection:
    """The accessors of FakeGitHub; each returns a deep copy taken under the lock."""

    lock: threading.RLock
    repos: dict[str, state.Repo]
    requests: list[state.Seen]

    def _copy(self, value: T) -> T:
        with self.lock:
            return copy.deepcopy(value)

    def comments(self, repo: str, number: int) -> list[state.IssueComment]:
        found = self.repos[repo].comments.values()
        return self._copy([c for c in found if c.number == number])

    def reviews(self, repo: str, number: int) -> list[state.Review]:
        return self._copy([r for r in self.repos[repo].reviews.values() if r.number == number])

    def check_runs(self, repo: str, head_sha: str | None = None) -> list[state.CheckRun]:
        found = self.repos[repo].check_runs.values()
        return self._copy([r for r in found if head_sha in (None, r.head_sha)])

    def reactions(self, repo: str, comment_id: int) -> list[state.Reaction]:
        return self._copy([r for r in self.repos[repo].reactions if r.comment_id == comment_id])

    def issues(self, repo: str) -> list[state.Issue]:
        """The repository's issues, not its pulls, by number."""
        found = self.repos[repo].issues.values()
        return self._copy([i for i in found if not isinstance(i, state.Pull)])

    def issue(self, repo: str, number: int) -> state.Issue:
        return self._copy(self.repos[repo].issues[number])

    def sub_issues(self, repo: str, number: int) -> list[state.Issue]:
        """Issue `number`'s sub-issues, in the order they were added."""
        with self.lock:
            issues = self.repos[repo].issues
            return self._copy([issues[n] for n in issues[number].sub_issues])

    def pulls(self, repo: str) -> list[state.Pull]:
        found = self.repos[repo].issues.values()
        return self._copy([p for p in found if isinstance(p, state.Pull)])

    def pull(self, repo: str, number: int) -> state.Pull:
        found = self.repos[repo].pull(number)
        if found is None:
            raise KeyError(f"{repo} has no pull #{number}")
        return self._copy(found)

    def branches(self, repo: str) -> dict[str, str]:
        """Branch name → the sha it points at."""
        return self._copy(self.repos[repo].branches)

    def commit_at(self, repo: str, ref: str) -> state.Commit:
        """The commit a branch, `refs/heads/…` or sha names."""
        with self.lock:
            found = self.repos[repo]
            sha = found.resolve(ref)
            if sha is None:
                raise KeyError(f"{repo} has no ref {ref!r}")
            return self._copy(found.commits[sha])

    def file_at(self, repo: str, ref: str, path: str) -> str | None:
        with self.lock:
            found = self.repos[repo]
            sha = found.resolve(ref)
            return None if sha is None else found.commits[sha].tree.get(path)

    def requests_to(self, method: str, path_contains: str = "") -> list[state.Seen]:
        with self.lock:
            return [r for r in self.requests if r.method == method and path_contains in r.path]
