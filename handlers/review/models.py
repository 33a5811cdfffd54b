"""The data the PR review steps hand to one another: the diff, its chunks, findings and notes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.ports.github import Side

Severity = Literal["critical", "major", "minor", "info"]
Source = Literal["llm", "checks"]

# Most severe first; placement keeps the most severe findings inline when it must cap them.
SEVERITY_ORDER: tuple[Severity, ...] = ("critical", "major", "minor", "info")


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True)


class DiffFile(_Data):
    """One reviewed file of a PR, or one part of it when its diff was split across chunks."""

    path: str
    previous_path: str | None = None
    status: str
    patch: str | None = None
    additions: int = 0
    deletions: int = 0
    right_lines: list[int] = Field(default_factory=list)  # new numbering: added + context
    left_lines: list[int] = Field(default_factory=list)  # old numbering: deleted + context
    part: int = 1  # "part `part` of `part_count`" when chunking split the file at hunks
    part_count: int = 1

    @property
    def label(self) -> str:
        """The path, with "(part i/n)" when this is one part of a split file."""
        if self.part_count == 1:
            return self.path
        return f"{self.path} (part {self.part}/{self.part_count})"


class SkippedFile(_Data):
    """A file of the PR that is not reviewed, and why; nothing is dropped without one."""

    path: str
    reason: str


class PullRequestDiff(_Data):
    """What `pr.diff` produces: the PR's facts, the files to review and the files skipped."""

    number: int
    title: str
    body: str = ""
    author: str
    head_sha: str
    base_sha: str
    files: list[DiffFile] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)


class DiffChunk(_Data):
    """Files (or file parts) sent to the LLM together; `over_budget` when one hunk is too big."""

    index: int  # 0-based, in diff order
    files: list[DiffFile]
    estimated_tokens: int
    over_budget: bool = False


class Finding(_Data):
    """A review remark on one line of the diff: `line` is in new (RIGHT) or old (LEFT) numbering."""

    path: str
    line: int = Field(ge=1)
    side: Side = "RIGHT"
    severity: Severity
    title: str = ""
    body: str
    suggestion: str | None = None  # replacement text for exactly that line (RIGHT only)
    source: Source


class Note(_Data):
    """A remark about a whole file (`path`) or the whole PR (`path` None), for the summary."""

    severity: Severity
    body: str
    path: str | None = None
    source: Source = "checks"


class LLMFinding(BaseModel):
    """One finding as the model must return it."""

    path: str = Field(description="Path of the file, exactly as in the diff header.")
    line: int = Field(
        ge=1,
        description=(
            "Line number the finding is about: in the new file for side RIGHT (an added '+' or "
            "unchanged ' ' line), in the old file for side LEFT (a removed '-' line)."
        ),
    )
    side: Side = Field(
        default="RIGHT",
        description="RIGHT for added or unchanged lines, LEFT only for removed lines.",
    )
    severity: Severity = Field(
        description=(
            "critical: security hole, data loss or crash; major: a bug or wrong behaviour; "
            "minor: a real but small problem; info: worth knowing, no change needed."
        )
    )
    title: str = Field(description="One short sentence naming the problem.")
    body: str = Field(description="Why it is a problem and what to do, in Markdown; concise.")
    suggestion: str | None = Field(
        default=None,
        description=(
            "Optional replacement for exactly this one line (side RIGHT only), as it should read "
            "after the fix, without diff markers; omit when unsure."
        ),
    )

    def to_finding(self) -> Finding:
        """The finding in the form the other review steps use."""
        return Finding(**self.model_dump(), source="llm")


class ReviewOutput(BaseModel):
    """What the model must return for one chunk of the diff."""

    summary: str = Field(
        description="Two to five sentences on what this part of the change does and its risks."
    )
    findings: list[LLMFinding] = Field(
        default_factory=list,
        description="Problems found, most important first; an empty list when there are none.",
    )
