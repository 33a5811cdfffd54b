"""The written files as a plan to approve: each file with the hash of its exact new content, so
an approval names what will be committed; the diffs are shown beside it, not read back."""

from __future__ import annotations

import difflib
import hashlib
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from handlers.approval.plans import PlanFormat, PlanParseError, register_format
from handlers.draft.plan_format import checked_path

DELETED = "deleted"
_FILE = re.compile(r"^- \[(?P<tick>[ xX])\] `(?P<path>[^`]+)` `(?P<sha>[0-9a-f]{12}|deleted)`$")
DIFF_CHARS = 50_000  # of GitHub's 65,536 per comment, with room for the plan around it


class WrittenFile(BaseModel):
    path: str
    sha256: str = Field(description="The first 12 hex digits of the new content's SHA-256.")


class DiffPlan(BaseModel):
    files: list[WrittenFile] = Field(min_length=1)


def content_sha(content: str | None) -> str:
    """What the approval names for one file's new content (or its deletion)."""
    if content is None:
        return DELETED
    return hashlib.sha256(content.encode()).hexdigest()[:12]


def render(plan: dict[str, Any]) -> str:
    lines = [f"- [x] `{f.path}` `{f.sha256}`" for f in DiffPlan.model_validate(plan).files]
    return "\n".join(lines)


def parse(text: str) -> dict[str, Any]:
    files = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _FILE.match(line.strip())
        if found is None and line.strip():
            raise PlanParseError(f"line {number} is not a file line like - [x] `path` `sha`")
        if found and found["tick"] != " ":
            files.append({"path": checked_or_refused(found["path"]), "sha256": found["sha"]})
    try:
        return DiffPlan.model_validate({"files": files}).model_dump(mode="json")
    except ValidationError as error:
        raise PlanParseError("tick at least one file to commit") from error


def checked_or_refused(path: str) -> str:
    try:
        return checked_path(path)
    except ValueError as error:
        raise PlanParseError(str(error)) from error


def understood(plan: dict[str, Any]) -> str:
    paths = [f"`{f.path}`" for f in DiffPlan.model_validate(plan).files]
    return "Baton will commit " + ", ".join(paths) + " exactly as shown."


def unified(path: str, before: str | None, after: str | None) -> str:
    """One file's change as a unified diff."""
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        (after or "").splitlines(keepends=True),
        fromfile=f"a/{path}" if before is not None else "/dev/null",
        tofile=f"b/{path}" if after is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


DIFF = register_format(PlanFormat("draft-diff", render, parse, understood))
