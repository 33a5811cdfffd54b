"""The GitHub port: what workflow steps may ask of GitHub, as plain typed data."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

Side = Literal["LEFT", "RIGHT"]
Role = Literal["none", "read", "triage", "write", "maintain", "admin"]
CheckStatus = Literal["queued", "in_progress", "completed"]
CheckConclusion = Literal[
    "success", "neutral", "failure", "cancelled", "timed_out", "action_required", "skipped"
]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True)


class Repository(_Data):
    full_name: str
    default_branch: str
    private: bool = False


class PullRequest(_Data):
    number: int
    title: str
    body: str = ""
    state: str = "open"
    draft: bool = False
    author: str
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str


class PullFile(_Data):
    filename: str
    status: str  # added, removed, modified, renamed, copied, changed, unchanged
    additions: int = 0
    deletions: int = 0
    changes: int = 0
    patch: str | None = None  # absent for binary files and for very large diffs
    previous_filename: str | None = None


class FileContent(_Data):
    path: str
    sha: str
    text: str


class Comment(_Data):
    id: int
    body: str
    author: str
    html_url: str = ""


class ReviewComment(_Data):
    path: str
    line: int
    side: Side = "RIGHT"
    body: str


class Review(_Data):
    id: int
    body: str
    html_url: str = ""


class CheckRun(_Data):
    id: int
    external_id: str
    status: str
    conclusion: str | None = None
    html_url: str = ""


class CheckRunUpdate(_Data):
    """Everything Baton sets on a check run; `name` + `external_id` identify it."""

    repo: str
    name: str
    head_sha: str
    external_id: str
    status: CheckStatus
    conclusion: CheckConclusion | None = None
    title: str
    summary: str
    text: str = ""
    details_url: str | None = None


class GitHubError(Exception):
    """GitHub answered with an error the adapter's own retries did not cure."""

    def __init__(self, status: int, message: str, *, rate_limited: bool = False) -> None:
        super().__init__(f"GitHub answered {status}: {message}")
        self.status = status
        self.rate_limited = rate_limited

    @property
    def permanent(self) -> bool:
        """A 4xx that is not a rate limit or a timeout: asking again gets the same answer."""
        return 400 <= self.status < 500 and not self.rate_limited and self.status not in (408, 429)


class ReviewRejected(Exception):
    """GitHub refused a review (422), typically for a comment on a line outside the diff."""


class GitHubPort(Protocol):
    """GitHub, seen from one installation. Every write is idempotent (see each docstring)."""

    async def get_repository(self, repo: str) -> Repository: ...

    async def get_branch_sha(self, repo: str, branch: str) -> str: ...

    async def get_pull(self, repo: str, number: int) -> PullRequest: ...

    async def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        """All files of the PR, every page (GitHub caps the listing at 3000 files)."""
        ...

    async def get_file(self, repo: str, path: str, ref: str) -> FileContent | None:
        """A text file at a ref; None when it does not exist."""
        ...

    async def get_permission(self, repo: str, user: str) -> Role:
        """The user's role on the repository (`role_name`), "none" for non-collaborators."""
        ...

    async def upsert_comment(self, repo: str, number: int, marker: str, body: str) -> Comment:
        """Edit the issue/PR comment whose body contains `marker`, or create one.

        `marker` is a hidden HTML comment such as `<!-- baton:summary review -->`; the body
        must contain it.
        """
        ...

    async def find_review(self, repo: str, number: int, marker: str) -> Review | None: ...

    async def create_review(
        self,
        repo: str,
        number: int,
        commit_sha: str,
        body: str,
        comments: list[ReviewComment],
    ) -> Review:
        """Post a COMMENT review (never APPROVE). Raises ReviewRejected on 422."""
        ...

    async def upsert_check_run(self, update: CheckRunUpdate) -> CheckRun:
        """Create the check run keyed by `external_id` on `head_sha`, or update it."""
        ...

    async def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        """React to an issue comment; reacting twice is a no-op on GitHub's side."""
        ...
