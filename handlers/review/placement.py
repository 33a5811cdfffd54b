"""Decide which findings become inline review comments (only on lines GitHub will accept) and
which go to the summary instead, and render the inline bodies."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from bot.ports.github import ReviewComment
from handlers.review.models import SEVERITY_ORDER, DiffFile, Finding, Severity

# Enough to say what matters on a big PR without burying it (one notification per comment).
MAX_INLINE_COMMENTS = 30

SEVERITY_BADGES: dict[Severity, str] = {
    "critical": "🔴 **Critical**",
    "major": "🟠 **Major**",
    "minor": "🟡 **Minor**",
    "info": "🔵 **Info**",
}


class UnplacedFinding(BaseModel):
    """A finding that cannot be an inline comment, and why; the summary lists these."""

    model_config = ConfigDict(frozen=True)

    finding: Finding
    reason: str


class Placement(BaseModel):
    """Inline comments ready for `create_review`, and what goes in the summary instead."""

    inline: list[ReviewComment]
    unplaced: list[UnplacedFinding]


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_comment(finding: Finding) -> str:
    """Badge, title, body and — on the RIGHT side only — a suggestion block for that one line."""
    heading = SEVERITY_BADGES[finding.severity]
    if finding.title:
        heading += f" · {finding.title}"
    parts = [heading, finding.body.strip()]
    # GitHub applies a suggestion to the new file; on a removed (LEFT) line it cannot apply.
    if finding.suggestion is not None and finding.side == "RIGHT":
        code = finding.suggestion.removesuffix("\n")
        fence = _fence(code)
        parts.append(f"{fence}suggestion\n{code}\n{fence}")
    return "\n\n".join(part for part in parts if part)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """The findings with repeats (same path, line, side and body) removed, first one kept."""
    seen: set[tuple[str, int, str, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        key = (finding.path, finding.line, finding.side, finding.body.strip())
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def commentable_by_path(files: Iterable[DiffFile]) -> dict[str, dict[str, set[int]]]:
    """path → side → commentable lines, merging the parts of a split file."""
    lines: dict[str, dict[str, set[int]]] = {}
    for file in files:
        sides = lines.setdefault(file.path, {"RIGHT": set(), "LEFT": set()})
        sides["RIGHT"].update(file.right_lines)
        sides["LEFT"].update(file.left_lines)
    return lines


def unplaceable_reason(finding: Finding, lines: dict[str, dict[str, set[int]]]) -> str | None:
    """Why GitHub would refuse this finding as an inline comment, or None when it would not."""
    if finding.path not in lines:
        return f"`{finding.path}` is not among the reviewed files of the diff"
    if finding.line not in lines[finding.path][finding.side]:
        return f"line {finding.line} ({finding.side}) is not in the diff"
    return None


def _by_position(finding: Finding) -> tuple[str, int, str]:
    return finding.path, finding.line, finding.side


def placement(
    findings: Iterable[Finding], files: Iterable[DiffFile], max_inline: int = MAX_INLINE_COMMENTS
) -> Placement:
    """Inline comments for findings on commentable lines, the most severe first up to
    `max_inline`; every other finding unplaced with its reason. Both sorted by path and line."""
    lines = commentable_by_path(files)
    placeable: list[Finding] = []
    unplaced: list[UnplacedFinding] = []
    for finding in dedupe(findings):
        reason = unplaceable_reason(finding, lines)
        if reason is None:
            placeable.append(finding)
        else:
            unplaced.append(UnplacedFinding(finding=finding, reason=reason))
    placeable.sort(key=lambda f: SEVERITY_ORDER.index(f.severity))  # stable: keeps input order
    over = f"over the limit of {max_inline} inline comments per review"
    unplaced += [UnplacedFinding(finding=f, reason=over) for f in placeable[max_inline:]]
    inline = sorted(placeable[:max_inline], key=_by_position)
    return Placement(
        inline=[
            ReviewComment(path=f.path, line=f.line, side=f.side, body=render_comment(f))
            for f in inline
        ],
        unplaced=sorted(unplaced, key=lambda u: _by_position(u.finding)),
    )


def place_findings(
    findings: Iterable[Finding], files: Iterable[DiffFile], max_inline: int = MAX_INLINE_COMMENTS
) -> tuple[list[ReviewComment], list[Finding]]:
    """`placement` without the reasons: (inline comments, findings for the summary)."""
    result = placement(findings, files, max_inline)
    return result.inline, [u.finding for u in result.unplaced]
