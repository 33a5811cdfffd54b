"""What the fake GitHub remembers: repositories, commits, pulls and everything written to them."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, Literal

UserType = Literal["User", "Bot", "Organization"]
Roles = ("read", "triage", "write", "maintain", "admin")


def blob_sha(text: str) -> str:
    """Git's blob id, as the contents API reports it."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class User:
    login: str
    id: int
    type: UserType = "User"


@dataclass
class Commit:
    sha: str
    tree: dict[str, str]  # path → text
    message: str
    parents: list[str]
    at: float = field(default_factory=time.time)


@dataclass
class IssueComment:
    id: int
    number: int
    body: str
    author: str
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)


@dataclass
class ReviewComment:
    id: int
    review_id: int
    path: str
    line: int
    side: str
    body: str
    commit_id: str
    diff_hunk: str
    author: str
    start_line: int | None = None
    created_at: float = field(default_factory=time.time)


@dataclass
class Review:
    id: int
    number: int
    body: str
    state: str  # COMMENTED, APPROVED, CHANGES_REQUESTED, PENDING
    event: str | None
    commit_id: str
    author: str
    comments: list[ReviewComment] = field(default_factory=list)
    submitted_at: float = field(default_factory=time.time)


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    app_id: int
    external_id: str | None = None
    status: str = "queued"
    conclusion: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    actions: list[dict[str, str]] = field(default_factory=list)  # the requested-action buttons
    started_at: float = field(default_factory=time.time)
    completed_at: float | None = None


@dataclass
class Reaction:
    id: int
    comment_id: int
    content: str
    author: str
    created_at: float = field(default_factory=time.time)


@dataclass
class Issue:
    number: int
    title: str
    body: str
    author: str
    state: str = "open"
    id: int = 0  # the issue id, which the sub-issues API takes; a pull's differs from its own
    labels: list[str] = field(default_factory=list)
    parent: int | None = None  # the number of the issue this is a sub-issue of
    sub_issues: list[int] = field(default_factory=list)  # numbers, in the order added
    created_at: float = field(default_factory=time.time)


@dataclass
class Pull(Issue):
    head_ref: str = ""
    base_ref: str = "main"
    head_sha: str = ""
    base_sha: str = ""
    draft: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)
    # The file list as it was at each head commit, for reviews against an older commit.
    files_at: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Repo:
    id: int
    full_name: str
    owner: str
    installation_id: int
    default_branch: str
    private: bool = False
    draft_pulls: bool = True  # False: a private repository on a plan without draft pulls
    branches: dict[str, str] = field(default_factory=dict)  # name → sha
    commits: dict[str, Commit] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # sha → path → text
    blobs: dict[str, str] = field(default_factory=dict)  # sha → text, made by the blobs API
    issues: dict[int, Issue] = field(default_factory=dict)  # pulls too: they share numbers
    comments: dict[int, IssueComment] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    reactions: list[Reaction] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # login → role
    created_at: float = field(default_factory=time.time)

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    def resolve(self, ref: str) -> str | None:
        """A commit sha for a branch name, `refs/heads/…`, or a (possibly short) sha."""
        ref = ref.removeprefix("refs/heads/")
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.commits:
            return ref
        matches = [sha for sha in self.commits if len(ref) >= 7 and sha.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def pull(self, number: int) -> Pull | None:
        found = self.issues.get(number)
        return found if isinstance(found, Pull) else None

    def issue_by_id(self, issue_id: int) -> Issue | None:
        return next((i for i in self.issues.values() if i.id == issue_id), None)


@dataclass
class Token:
    value: str
    login: str  # who writes with it: the App's bot user, or a person
    installation_id: int | None = None  # None: a personal token
    expires_at: float = field(default_factory=lambda: time.time() + 3600)


@dataclass
class Seen:
    """One request the fake answered, for tests to inspect."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    at: float  # time.monotonic() when it arrived
    status: int = 0
    actor: str | None = None  # login of the token's user; "app" for an App JWT
