"""Which findings become inline comments, which go to the summary, and how inline bodies read."""

from __future__ import annotations

import pytest

from bot.ports.github import Side
from handlers.review.diff import commentable_lines
from handlers.review.models import DiffFile, Finding, LLMFinding, Severity
from handlers.review.placement import SEVERITY_BADGES, place_findings, placement, render_comment

# RIGHT lines 1-4 and 11-13; LEFT lines 1-3 and 10-11 (old line 2 was removed).
PATCH = """\
@@ -1,3 +1,4 @@
 a
-b
+B
+B2
 c
@@ -10,2 +11,3 @@
 x
+y
 z"""


def _file(path: str = "src/a.py", patch: str = PATCH) -> DiffFile:
    right, left = commentable_lines(patch)
    return DiffFile(
        path=path, status="modified", patch=patch,
        right_lines=sorted(right), left_lines=sorted(left),
    )  # fmt: skip


def _finding(
    line: int,
    side: Side = "RIGHT",
    path: str = "src/a.py",
    severity: Severity = "major",
    body: str = "Off by one.",
    suggestion: str | None = None,
) -> Finding:
    return Finding(
        path=path, line=line, side=side, severity=severity, title="Bug", body=body,
        suggestion=suggestion, source="llm",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("finding", "reason"),
    [
        (_finding(2), None),
        (_finding(12), None),
        (_finding(2, "LEFT"), None),
        (_finding(8), "line 8 (RIGHT) is not in the diff"),
        (_finding(4, "LEFT"), "line 4 (LEFT) is not in the diff"),
        (_finding(1, path="poetry.lock"),
         "`poetry.lock` is not among the reviewed files of the diff"),
    ],
)  # fmt: skip
def test_a_finding_goes_inline_only_on_a_commentable_line(
    finding: Finding, reason: str | None
) -> None:
    placed = placement([finding], [_file()])
    if reason is None:
        assert [(c.path, c.line, c.side) for c in placed.inline] == [
            (finding.path, finding.line, finding.side)
        ]
        assert placed.unplaced == []
    else:
        assert placed.inline == []
        assert [(u.finding, u.reason) for u in placed.unplaced] == [(finding, reason)]


def test_a_suggestion_renders_as_a_suggestion_block() -> None:
    body = render_comment(_finding(2, suggestion="B = 2\n"))
    assert body == f"{SEVERITY_BADGES['major']} · Bug\n\nOff by one.\n\n```suggestion\nB = 2\n```"


def test_a_left_side_suggestion_is_dropped_but_the_comment_kept() -> None:
    [comment], _ = place_findings([_finding(2, "LEFT", suggestion="b = 1")], [_file()])
    assert "suggestion" not in comment.body
    assert "Off by one." in comment.body


def test_a_suggestion_containing_backticks_gets_a_longer_fence() -> None:
    body = render_comment(_finding(2, suggestion='doc = """```py```"""'))
    assert '````suggestion\ndoc = """```py```"""\n````' in body


@pytest.mark.parametrize("severity", ["critical", "major", "minor", "info"])
def test_each_severity_has_its_badge_first(severity: Severity) -> None:
    assert render_comment(_finding(2, severity=severity)).startswith(SEVERITY_BADGES[severity])


def test_identical_findings_are_posted_once() -> None:
    inline, unplaced = place_findings(
        [_finding(2), _finding(2), _finding(2, body="Other.")], [_file()]
    )
    assert len(inline) == 2
    assert unplaced == []


def test_inline_comments_are_capped_keeping_the_most_severe() -> None:
    findings = [_finding(n, severity="info", body=f"nit {n}") for n in (1, 2, 3)]
    findings.append(_finding(12, severity="critical", body="leak"))
    placed = placement(findings, [_file()], max_inline=2)
    assert [(c.line, c.body.split("\n")[-1]) for c in placed.inline] == [
        (1, "nit 1"),
        (12, "leak"),
    ]
    assert [(u.finding.line, u.reason) for u in placed.unplaced] == [
        (2, "over the limit of 2 inline comments per review"),
        (3, "over the limit of 2 inline comments per review"),
    ]


def test_inline_comments_are_sorted_by_path_then_line() -> None:
    findings = [_finding(12, path="src/b.py"), _finding(3), _finding(1, path="src/b.py")]
    inline, _ = place_findings(findings, [_file("src/b.py"), _file()])
    assert [(c.path, c.line) for c in inline] == [
        ("src/a.py", 3),
        ("src/b.py", 1),
        ("src/b.py", 12),
    ]


def test_the_parts_of_a_split_file_are_merged_for_placement() -> None:
    first = _file(patch="@@ -1 +1 @@\n-a\n+b").model_copy(update={"part": 1, "part_count": 2})
    second = _file(patch="@@ -50 +50 @@\n-a\n+b").model_copy(update={"part": 2, "part_count": 2})
    inline, unplaced = place_findings([_finding(1), _finding(50)], [first, second])
    assert ([c.line for c in inline], unplaced) == ([1, 50], [])


def test_an_llm_finding_becomes_a_finding_from_the_llm() -> None:
    raw = {"path": "src/a.py", "line": 3, "severity": "minor", "title": "T", "body": "B"}
    finding = LLMFinding.model_validate(raw).to_finding()
    assert (finding.side, finding.source, finding.suggestion) == ("RIGHT", "llm", None)
