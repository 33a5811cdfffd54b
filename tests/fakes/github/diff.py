"""Unified diffs as GitHub shows them in a pull's file list, and the lines a review may use."""

from __future__ import annotations

import difflib
import re
from typing import Any

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def make_patch(old: str, new: str, context: int = 3) -> str:
    """The `patch` GitHub gives a file: hunks only, without the ---/+++ header."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    return "\n".join(list(lines)[2:])


def pull_file(
    filename: str,
    old: str | None,
    new: str | None,
    *,
    previous_filename: str | None = None,
) -> dict[str, Any]:
    """A pull's file entry (filename, status, additions, deletions, changes, patch).

    `old=None` is an added file, `new=None` a removed one, `previous_filename` a rename.
    """
    patch = make_patch(old or "", new or "")
    body = [line for line in patch.splitlines() if not line.startswith("@@")]
    additions = sum(line.startswith("+") for line in body)
    deletions = sum(line.startswith("-") for line in body)
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    elif previous_filename:
        status = "renamed"
    else:
        status = "modified"
    entry: dict[str, Any] = {
        "filename": filename,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "patch": patch or None,
    }
    if previous_filename:
        entry["previous_filename"] = previous_filename
    return entry


def diff_trees(base: dict[str, str], head: dict[str, str]) -> list[dict[str, Any]]:
    """The file list of a pull from `base` to `head` (path → text), sorted by path."""
    changed = sorted(p for p in base.keys() | head.keys() if base.get(p) != head.get(p))
    return [pull_file(p, base.get(p), head.get(p)) for p in changed]


def commentable_lines(patch: str | None) -> dict[str, set[int]]:
    """Lines a review comment may name: RIGHT = added + context (new numbering),
    LEFT = deleted + context (old numbering)."""
    sides: dict[str, set[int]] = {"LEFT": set(), "RIGHT": set()}
    old = new = 0
    for line in (patch or "").splitlines():
        if match := HUNK.match(line):
            old, new = int(match[1]), int(match[2])
        elif line.startswith("+"):
            sides["RIGHT"].add(new)
            new += 1
        elif line.startswith("-"):
            sides["LEFT"].add(old)
            old += 1
        elif line.startswith(" ") or line == "":
            sides["LEFT"].add(old)
            sides["RIGHT"].add(new)
            old, new = old + 1, new + 1
    return sides


def hunk_of(patch: str | None, side: str, line: int) -> str:
    """The hunk holding `line`, as GitHub puts it in a review comment's `diff_hunk`."""
    hunks: list[list[str]] = []
    for text in (patch or "").splitlines():
        if text.startswith("@@") or not hunks:
            hunks.append([])
        hunks[-1].append(text)
    for hunk in hunks:
        if line in commentable_lines("\n".join(hunk))[side]:
            return "\n".join(hunk)
    return ""
