"""Token estimates and packing files into chunks under a budget."""

from __future__ import annotations

import pytest

from handlers.review.chunks import chunk_files, estimate_tokens, file_tokens, split_file
from handlers.review.diff import commentable_lines, parse_hunks
from handlers.review.models import DiffFile


def _hunk(start: int, lines: int) -> str:
    body = "\n".join(f"+line {start + i} of a fairly ordinary change" for i in range(lines))
    return f"@@ -{start},0 +{start},{lines} @@\n{body}"


def _patch(hunks: int, lines_per_hunk: int) -> str:
    return "\n".join(_hunk(1 + h * 1000, lines_per_hunk) for h in range(hunks))


def _file(path: str, patch: str) -> DiffFile:
    right, left = commentable_lines(patch)
    return DiffFile(
        path=path, status="modified", patch=patch, additions=len(right),
        right_lines=sorted(right), left_lines=sorted(left),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("a", 1), ("abcd", 1), ("abcde", 2), ("x" * 400, 100), ("x" * 401, 101)],
)
def test_tokens_are_characters_over_four_rounded_up(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens


def test_small_files_share_a_chunk_in_order() -> None:
    files = [_file(f"f{i}.py", _patch(1, 3)) for i in range(3)]
    chunks = chunk_files(files, budget_tokens=10_000)
    assert len(chunks) == 1
    assert [f.path for f in chunks[0].files] == ["f0.py", "f1.py", "f2.py"]
    assert chunks[0].estimated_tokens == sum(file_tokens(f) for f in files)
    assert not chunks[0].over_budget


def test_files_spill_into_the_next_chunk_when_the_budget_is_reached() -> None:
    files = [_file(f"f{i}.py", _patch(1, 10)) for i in range(4)]
    budget = file_tokens(files[0]) * 2
    chunks = chunk_files(files, budget_tokens=budget)
    assert [[f.path for f in c.files] for c in chunks] == [["f0.py", "f1.py"], ["f2.py", "f3.py"]]
    assert [c.index for c in chunks] == [0, 1]
    assert all(c.estimated_tokens <= budget for c in chunks)


def test_a_3000_line_patch_is_split_at_hunks_and_every_hunk_lands_in_exactly_one_chunk() -> None:
    big = _file("big.py", _patch(hunks=100, lines_per_hunk=30))
    assert len(big.patch.splitlines()) == 3100  # type: ignore[union-attr]
    files = [_file("before.py", _patch(1, 5)), big, _file("after.py", _patch(1, 5))]
    chunks = chunk_files(files, budget_tokens=4_000)

    sent = [
        h.text
        for c in chunks
        for f in c.files
        if f.path == "big.py"
        for h in parse_hunks(f.patch or "")
    ]
    assert sent == [h.text for h in parse_hunks(big.patch or "")]
    assert all(c.estimated_tokens <= 4_000 and not c.over_budget for c in chunks)
    parts = [f for c in chunks for f in c.files if f.path == "big.py"]
    assert [(p.part, p.part_count) for p in parts] == [
        (i, len(parts)) for i in range(1, len(parts) + 1)
    ]
    assert parts[0].label == f"big.py (part 1/{len(parts)})"
    assert sorted(n for p in parts for n in p.right_lines) == big.right_lines
    assert chunks[0].files[0].path == "before.py"
    assert chunks[-1].files[-1].path == "after.py"


def test_a_single_hunk_over_the_budget_gets_its_own_flagged_chunk_uncut() -> None:
    huge = _file("huge.py", _patch(hunks=1, lines_per_hunk=500))
    small = _file("small.py", _patch(1, 2))
    chunks = chunk_files([small, huge, small], budget_tokens=1_000)
    assert [([f.path for f in c.files], c.over_budget) for c in chunks] == [
        (["small.py"], False),
        (["huge.py"], True),
        (["small.py"], False),
    ]
    assert chunks[1].files[0].patch == huge.patch


def test_an_oversized_hunk_inside_a_split_file_is_its_own_part() -> None:
    patch = "\n".join([_hunk(1, 5), _hunk(1000, 500), _hunk(5000, 5)])
    parts = split_file(_file("mixed.py", patch), budget_tokens=1_000)
    assert [len(parse_hunks(p.patch or "")) for p in parts] == [1, 1, 1]
    assert [file_tokens(p) > 1_000 for p in parts] == [False, True, False]


def test_chunking_is_deterministic() -> None:
    files = [_file(f"f{i}.py", _patch(i + 1, 40)) for i in range(6)]
    assert chunk_files(files, 2_000) == chunk_files(files, 2_000)


@pytest.mark.parametrize("budget", [0, -5])
def test_a_budget_below_one_token_is_refused(budget: int) -> None:
    with pytest.raises(ValueError, match="at least 1 token"):
        chunk_files([], budget)


def test_no_files_make_no_chunks() -> None:
    assert chunk_files([], 1_000) == []
