"""The GitHub port's data: what Baton reads from GitHub and sends to it, as frozen models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
    html_url: str = ""
    comments: int | None = None  # issue comments on the pull; None: not known


class Issue(_Data):
    """An issue, or a pull request seen through the issues API (`is_pull_request`)."""

    number: int
    id: int  # what the sub-issues API takes, not the number
    title: str
    body: str = ""
    state: str = "open"
    author: str
    labels: list[str] = []
    is_pull_request: bool = False
    html_url: str = ""


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


class BranchFiles(_Data):
    """A branch's head commit and files read at that very commit (`get_branch_files`)."""

    sha: str  # the head commit
    files: dict[str, FileContent] = {}  # by path; a path asked for and not here is absent


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


class CheckAction(_Data):
    """A button on a check run; clicking it sends `check_run.requested_action` with
    `identifier`. GitHub refuses longer fields."""

    label: str = Field(max_length=20)
    description: str = Field(max_length=40)
    identifier: str = Field(max_length=20)


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
    # Sent on every upsert: an empty list takes the buttons away. GitHub allows three.
    actions: list[CheckAction] = Field(default=[], max_length=3)
    # The check run's id once known: it is updated without being looked up first (one
    # request, not two); if GitHub no longer has it, it is looked up by `external_id`.
    check_run_id: int | None = None


class NewReview(_Data):
    """A review about to be posted (`create_review`'s arguments without its comments)."""

    repo: str
    number: int
    commit_sha: str
    body: str


class NewComment(_Data):
    """A comment carrying `marker` about to be posted (`upsert_comment` on a pull without it)."""

    repo: str
    number: int
    marker: str
