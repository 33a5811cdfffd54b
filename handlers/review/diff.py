"""Read GitHub's per-file patches: their hunks, the lines a review comment may sit on, and which
files of a PR are reviewed or skipped (and why)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pathspec import GitIgnoreSpec
from pydantic import BaseModel, ConfigDict

from bot.engine.untrusted import hidden_comments_shown
from bot.ports.github import PullFile, PullRequest
from handlers.review.models import DiffFile, PullRequestDiff, SkippedFile

LineKind = Literal["context", "added", "removed"]

# GitHub's pull-files `patch` has no `diff --git`/`---`/`+++` headers: it starts at the first
# hunk. A count is omitted when it is 1 (`@@ -3 +3 @@`).
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class Hunk(BaseModel):
    """One `@@ -a,b +c,d @@` section of a patch, with its raw text (header included)."""

    model_config = ConfigDict(frozen=True)

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    text: str


class DiffLine(BaseModel):
    """One body line of a hunk: `old` / `new` are its numbers on each side, None where absent."""

    model_config = ConfigDict(frozen=True)

    kind: LineKind
    old: int | None
    new: int | None
    text: str  # without the leading ' ', '+' or '-'


def parse_hunks(patch: str) -> list[Hunk]:
    """Split a patch into hunks; anything before the first `@@` header is ignored."""
    hunks: list[list[str]] = []
    for line in patch.splitlines():
        if _HUNK_HEADER.match(line):
            hunks.append([line])
        elif hunks:
            hunks[-1].append(line)
    return [_hunk(lines) for lines in hunks]


def _hunk(lines: list[str]) -> Hunk:
    match = _HUNK_HEADER.match(lines[0])
    assert match is not None  # parse_hunks only starts a hunk on a header line
    old_start, old_count, new_start, new_count = match.groups()
    return Hunk(
        old_start=int(old_start),
        old_count=int(old_count or 1),
        new_start=int(new_start),
        new_count=int(new_count or 1),
        text="\n".join(lines),
    )


def diff_lines(patch: str) -> Iterator[DiffLine]:
    """Every added, removed and context line of a patch, numbered on both sides."""
    for hunk in parse_hunks(patch):
        old, new = hunk.old_start, hunk.new_start
        for raw in hunk.text.splitlines()[1:]:
            if raw.startswith("\\"):  # "\ No newline at end of file" belongs to no side
                continue
            if raw.startswith("+"):
                yield DiffLine(kind="added", old=None, new=new, text=raw[1:])
                new += 1
            elif raw.startswith("-"):
                yield DiffLine(kind="removed", old=old, new=None, text=raw[1:])
                old += 1
            else:  # ' ' context; a bare "" is a context line whose trailing space was stripped
                yield DiffLine(kind="context", old=old, new=new, text=raw[1:])
                old, new = old + 1, new + 1


def commentable_lines(patch: str) -> tuple[set[int], set[int]]:
    """The lines GitHub accepts a review comment on: (RIGHT: added + context, new numbering;
    LEFT: removed + context, old numbering)."""
    right: set[int] = set()
    left: set[int] = set()
    for line in diff_lines(patch):
        if line.new is not None:
            right.add(line.new)
        if line.old is not None:
            left.add(line.old)
    return right, left


def to_diff_file(file: PullFile) -> DiffFile:
    """A PR file with a patch, as the review steps see it."""
    right, left = commentable_lines(file.patch or "")
    return DiffFile(
        path=file.filename,
        previous_path=file.previous_filename,
        status=file.status,
        patch=file.patch,
        additions=file.additions,
        deletions=file.deletions,
        right_lines=sorted(right),
        left_lines=sorted(left),
    )


def _last_match(patterns: Sequence[str], path: str) -> str | None:
    """The pattern that decides `path` under gitignore rules (the last one matching), if any."""
    spec = GitIgnoreSpec.from_lines(patterns)
    if not spec.match_file(path):
        return None
    hits = [p for p in patterns if not p.startswith("!") and _matches(p, path)]
    return hits[-1] if hits else ", ".join(patterns)


def _matches(pattern: str, path: str) -> bool:
    return bool(GitIgnoreSpec.from_lines([pattern]).match_file(path))


def skip_reason(
    file: PullFile, include: Sequence[str], exclude: Sequence[str], max_file_lines: int
) -> str | None:
    """Why this file is not reviewed, or None when it is."""
    excluded_by = _last_match(exclude, file.filename)
    if excluded_by is not None:
        return f"excluded by paths.exclude `{excluded_by}`"
    if include and _last_match(include, file.filename) is None:
        return "not matched by paths.include (" + ", ".join(f"`{p}`" for p in include) + ")"
    if file.status == "removed":
        return "deleted"
    if not file.patch:
        return _no_patch_reason(file)
    changed = file.additions + file.deletions
    if changed > max_file_lines:
        return f"file diff over {max_file_lines} lines ({changed} lines added or removed)"
    return None


def _no_patch_reason(file: PullFile) -> str:
    # GitHub omits `patch` for binary files and for pure renames/copies (both report 0 changes)
    # and for text diffs too large to show (which still report their line counts).
    if file.status in ("renamed", "copied") and file.changes == 0:
        return f"{file.status} without changes"
    if file.status == "unchanged":
        return "unchanged"
    if file.changes == 0:
        return "binary file"
    return "diff too large for GitHub to show (no patch)"


def select_files(
    files: list[PullFile], include: list[str], exclude: list[str], max_file_lines: int
) -> tuple[list[DiffFile], list[SkippedFile]]:
    """Split a PR's files into those to review and those skipped, each with its reason."""
    selected: list[DiffFile] = []
    skipped: list[SkippedFile] = []
    for file in files:
        reason = skip_reason(file, include, exclude, max_file_lines)
        if reason is None:
            selected.append(to_diff_file(file))
        else:
            skipped.append(SkippedFile(path=file.filename, reason=reason))
    return selected, skipped


def pull_request_diff(
    pr: PullRequest,
    files: list[PullFile],
    include: list[str],
    exclude: list[str],
    max_file_lines: int,
) -> PullRequestDiff:
    """The `pr.diff` output: the PR's facts with its selected and skipped files."""
    selected, skipped = select_files(files, include, exclude, max_file_lines)
    return PullRequestDiff(
        number=pr.number,
        title=pr.title,
        body=hidden_comments_shown(pr.body),  # for the model: what GitHub hides is shown
        author=pr.author,
        head_sha=pr.head_sha,
        base_sha=pr.base_sha,
        files=selected,
        skipped=skipped,
    )
