"""Patch parsing, commentable lines and file selection for `pr.diff`."""

from __future__ import annotations

import pytest

from bot.ports.github import PullFile, PullRequest
from handlers.review.diff import (
    commentable_lines,
    diff_lines,
    parse_hunks,
    pull_request_diff,
    select_files,
)

TWO_HUNKS = """\
@@ -1,3 +1,4 @@ import os
 a
-b
+B
+B2
 c
@@ -10,2 +11,3 @@ def f():
 x
+y
 z"""

NO_NEWLINE = """\
@@ -1,2 +1,2 @@
 keep
-old last
\\ No newline at end of file
+new last
\\ No newline at end of file"""


@pytest.mark.parametrize(
    ("patch", "right", "left"),
    [
        pytest.param(TWO_HUNKS, {1, 2, 3, 4, 11, 12, 13}, {1, 2, 3, 10, 11}, id="two-hunks"),
        pytest.param(NO_NEWLINE, {1, 2}, {1, 2}, id="no-newline-markers-take-no-number"),
        pytest.param("@@ -0,0 +1,2 @@\n+a\n+b", {1, 2}, set(), id="new-file"),
        pytest.param("@@ -1,2 +0,0 @@\n-a\n-b", set(), {1, 2}, id="deleted-file"),
        pytest.param("@@ -5 +5 @@\n-a\n+b", {5}, {5}, id="counts-omitted-when-one"),
        pytest.param(
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b",
            {1},
            {1},
            id="file-headers-before-the-first-hunk-ignored",
        ),
        pytest.param("@@ -1,2 +1,2 @@\n--- x\n+++ y\n ctx", {1, 2}, {1, 2}, id="dashes-in-body"),
        pytest.param("", set(), set(), id="empty-patch"),
    ],
)
def test_commentable_lines_follow_github_numbering(
    patch: str, right: set[int], left: set[int]
) -> None:
    assert commentable_lines(patch) == (right, left)


def test_deleted_lines_are_commentable_only_on_the_left() -> None:
    right, left = commentable_lines(TWO_HUNKS)
    removed = [line.old for line in diff_lines(TWO_HUNKS) if line.kind == "removed"]
    assert removed == [2]
    assert 2 in left
    # new line 2 exists ("B"), but it is the added line, not the deleted "b"
    added_at_2 = [line for line in diff_lines(TWO_HUNKS) if line.new == 2]
    assert [line.kind for line in added_at_2] == ["added"]
    assert right == {1, 2, 3, 4, 11, 12, 13}


def test_hunks_keep_their_numbers_and_raw_text() -> None:
    hunks = parse_hunks(TWO_HUNKS)
    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in hunks] == [
        (1, 3, 1, 4),
        (10, 2, 11, 3),
    ]
    assert "\n".join(h.text for h in hunks) == TWO_HUNKS


def _file(name: str, status: str = "modified", **fields: object) -> PullFile:
    patch = fields.pop("patch", "@@ -1 +1 @@\n-a\n+b")
    defaults: dict[str, object] = {"additions": 1, "deletions": 1, "changes": 2}
    return PullFile.model_validate(
        {"filename": name, "status": status, "patch": patch, **defaults, **fields}
    )


@pytest.mark.parametrize(
    ("file", "include", "exclude", "reason"),
    [
        (_file("poetry.lock"), [], ["**/*.lock"], "excluded by paths.exclude `**/*.lock`"),
        (_file("web/yarn.lock"), [], ["dist/**", "**/*.lock"],
         "excluded by paths.exclude `**/*.lock`"),
        (_file("dist/app.js"), [], ["dist/**", "**/*.lock"], "excluded by paths.exclude `dist/**`"),
        (_file("dist/keep.js"), [], ["dist/**", "!dist/keep.js"], None),
        (_file("README.md"), ["src/**"], [], "not matched by paths.include (`src/**`)"),
        (_file("src/a.py"), ["src/**"], [], None),
        (_file("old.py", "removed", patch="@@ -1 +0,0 @@\n-a"), [], [], "deleted"),
        (_file("logo.png", "added", patch=None, additions=0, deletions=0, changes=0), [], [],
         "binary file"),
        (_file("logo.png", "modified", patch=None, additions=0, deletions=0, changes=0), [], [],
         "binary file"),
        (_file("b.py", "renamed", patch=None, changes=0, previous_filename="a.py"), [], [],
         "renamed without changes"),
        (_file("big.sql", "modified", patch=None, additions=90000, changes=90000), [], [],
         "diff too large for GitHub to show (no patch)"),
        (_file("gen.py", additions=700, deletions=400, changes=1100), [], [],
         "file diff over 1000 lines (1100 lines added or removed)"),
        (_file("ok.py"), [], [], None),
    ],
)  # fmt: skip
def test_each_file_is_reviewed_or_skipped_with_its_reason(
    file: PullFile, include: list[str], exclude: list[str], reason: str | None
) -> None:
    selected, skipped = select_files([file], include, exclude, max_file_lines=1000)
    if reason is None:
        assert [f.path for f in selected] == [file.filename]
        assert skipped == []
    else:
        assert selected == []
        assert [(s.path, s.reason) for s in skipped] == [(file.filename, reason)]


def test_no_file_is_dropped_without_a_reason() -> None:
    files = [
        _file("src/a.py"),
        _file("poetry.lock"),
        _file("img.png", "added", patch=None, changes=0),
        _file("gone.py", "removed"),
        _file("b.py", "renamed", patch=None, changes=0),
    ]
    selected, skipped = select_files(files, [], ["**/*.lock"], max_file_lines=1000)
    assert sorted([f.path for f in selected] + [s.path for s in skipped]) == sorted(
        f.filename for f in files
    )
    assert all(s.reason for s in skipped)


def test_selected_file_carries_its_sorted_commentable_lines() -> None:
    selected, _ = select_files([_file("a.py", patch=TWO_HUNKS)], [], [], max_file_lines=1000)
    assert selected[0].right_lines == [1, 2, 3, 4, 11, 12, 13]
    assert selected[0].left_lines == [1, 2, 3, 10, 11]


def test_pull_request_diff_keeps_the_pr_facts() -> None:
    pr = PullRequest(
        number=7, title="Fix", body="why", author="ada", head_sha="h", head_ref="f",
        base_ref="main", base_sha="b",
    )  # fmt: skip
    diff = pull_request_diff(pr, [_file("a.py"), _file("x.lock")], [], ["*.lock"], 1000)
    assert (diff.number, diff.title, diff.author, diff.head_sha, diff.base_sha) == (
        7, "Fix", "ada", "h", "b",
    )  # fmt: skip
    assert [f.path for f in diff.files] == ["a.py"]
    assert [s.path for s in diff.skipped] == ["x.lock"]
