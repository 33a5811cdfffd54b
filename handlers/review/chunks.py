"""Pack the reviewed files into chunks that fit the LLM's token budget, splitting big files at hunk
boundaries instead of truncating them."""

from __future__ import annotations

from handlers.review.diff import Hunk, commentable_lines, diff_lines, parse_hunks
from handlers.review.models import DiffChunk, DiffFile

# Reserved in a part's estimate for the " (part i/n)" marker, whose width is unknown until the
# file has been split.
_PART_MARKER_ALLOWANCE = " (part 000/000)"


def estimate_tokens(text: str) -> int:
    """Estimated tokens in `text`: characters / 4, rounded up.

    A provider-neutral rule of thumb (no tokenizer to install or keep in step with the model);
    code often runs a little denser, so budgets should keep some headroom.
    """
    return -(-len(text) // 4)


def file_tokens(file: DiffFile) -> int:
    """Estimated tokens of one file as sent: its label line, then its patch."""
    return estimate_tokens(f"{file.label}\n{file.patch or ''}")


def _hunks_tokens(path: str, hunks: list[Hunk]) -> int:
    text = "\n".join(hunk.text for hunk in hunks)
    return estimate_tokens(f"{path}{_PART_MARKER_ALLOWANCE}\n{text}")


def _group_hunks(path: str, hunks: list[Hunk], budget_tokens: int) -> list[list[Hunk]]:
    """Consecutive hunks in groups under the budget; a hunk over it alone makes its own group."""
    groups: list[list[Hunk]] = []
    for hunk in hunks:
        if groups and _hunks_tokens(path, [*groups[-1], hunk]) <= budget_tokens:
            groups[-1].append(hunk)
        else:
            groups.append([hunk])
    return groups


def _part(file: DiffFile, hunks: list[Hunk], part: int, part_count: int) -> DiffFile:
    patch = "\n".join(hunk.text for hunk in hunks)
    right, left = commentable_lines(patch)
    kinds = [line.kind for line in diff_lines(patch)]
    return file.model_copy(
        update={
            "patch": patch,
            "additions": kinds.count("added"),
            "deletions": kinds.count("removed"),
            "right_lines": sorted(right),
            "left_lines": sorted(left),
            "part": part,
            "part_count": part_count,
        }
    )


def split_file(file: DiffFile, budget_tokens: int) -> list[DiffFile]:
    """The file in parts "i/n" at hunk boundaries, each under the budget unless one hunk is not."""
    hunks = parse_hunks(file.patch or "")
    if file_tokens(file) <= budget_tokens or len(hunks) < 2:
        return [file]
    groups = _group_hunks(file.path, hunks, budget_tokens)
    if len(groups) == 1:
        return [file]
    return [_part(file, group, i, len(groups)) for i, group in enumerate(groups, start=1)]


def chunk_files(files: list[DiffFile], budget_tokens: int) -> list[DiffChunk]:
    """Files packed in order into chunks under `budget_tokens`; deterministic.

    A file over the budget is split at hunk boundaries; a piece that alone exceeds the budget
    (a single huge hunk) gets a chunk of its own flagged `over_budget`, never a cut.
    """
    if budget_tokens < 1:
        raise ValueError(f"chunk budget must be at least 1 token, got {budget_tokens}")
    packed: list[tuple[list[DiffFile], int]] = []
    for piece in (part for file in files for part in split_file(file, budget_tokens)):
        tokens = file_tokens(piece)
        if packed and packed[-1][1] + tokens <= budget_tokens:
            packed[-1][0].append(piece)
            packed[-1] = (packed[-1][0], packed[-1][1] + tokens)
        else:
            packed.append(([piece], tokens))
    return [
        DiffChunk(
            index=i, files=pieces, estimated_tokens=tokens, over_budget=tokens > budget_tokens
        )
        for i, (pieces, tokens) in enumerate(packed)
    ]
