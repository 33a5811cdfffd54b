"""Deterministic review checks: secrets on added lines, oversized files, code changed without
tests."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pathspec import GitIgnoreSpec
from pydantic import BaseModel, Field

from handlers.review.diff import diff_lines
from handlers.review.models import DiffFile, Finding, Note, PullRequestDiff


class ChecksOptions(BaseModel):
    """The `with:` of `review.checks`."""

    max_added_lines: int = Field(default=1000, ge=1)
    require_tests: bool = True
    secrets: bool = True


class ChecksReport(BaseModel):
    """Line findings (to go inline) and file- or PR-level notes (for the summary)."""

    findings: list[Finding] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


# Most specific first: a line is reported once, under the first kind that matches it. Group 1
# is always the secret itself, so it can be masked.
_SECRETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)")),
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,})\b")),
    ("GitHub token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{22,})\b")),
    ("Slack token", re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]{10,})")),
    ("Slack webhook URL", re.compile(r"(https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+)")),
    (
        "hard-coded credential",
        re.compile(
            r"(?i)(?:password|passwd|secret|api[_-]?key|token)(?:[_-]?key)?[\"']?\s*(?::=|[:=])\s*"
            r"[\"']([^\"'\s]{8,})[\"']"
        ),
    ),
)

_PLACEHOLDER = re.compile(
    r"(?i)\$\{|\{\{|<|%\(|^(.)\1*$|example|placeholder|changeme|change_me|dummy|redacted|your[_-]"
)

# Gitignore-style: a pattern without a slash matches at any depth.
_TEST_PATHS = GitIgnoreSpec.from_lines(
    [
        "tests/", "test/", "__tests__/", "spec/", "testdata/",
        "test_*.py", "*_test.py", "conftest.py", "*_test.go", "*_spec.rb", "*Test.java",
        "*Tests.cs", "*.test.[jt]s", "*.test.[jt]sx", "*.spec.[jt]s", "*.spec.[jt]sx",
    ]
)  # fmt: skip
_SOURCE_SUFFIXES = frozenset(
    {
        ".py", ".go", ".rs", ".java", ".kt", ".scala", ".rb", ".php", ".cs", ".c", ".cc",
        ".cpp", ".h", ".hpp", ".swift", ".m", ".ex", ".exs", ".js", ".jsx", ".ts", ".tsx",
        ".mjs", ".cjs", ".vue", ".svelte",
    }
)  # fmt: skip
_NOT_SOURCE_DIRS = frozenset({"docs", "doc", "examples", "example", ".github", "scripts"})


def mask(secret: str) -> str:
    """At most a quarter of the secret (four characters at most), then a fixed run of stars."""
    return secret[: min(4, len(secret) // 4)] + "********"


def _secret_on(text: str) -> tuple[str, str] | None:
    """(kind, secret) for the first likely secret in a line of code, or None."""
    for kind, pattern in _SECRETS:
        for match in pattern.finditer(text):
            secret = match.group(1)
            if kind != "hard-coded credential" or not _PLACEHOLDER.search(secret):
                return kind, secret
    return None


def _secret_finding(path: str, line: int, kind: str, secret: str) -> Finding:
    shown = "a private key block" if kind == "private key" else f"`{mask(secret)}`"
    return Finding(
        path=path,
        line=line,
        severity="critical",
        source="checks",
        title=f"Possible {kind} added",
        body=(
            f"This line adds what looks like a {kind} ({shown}). If it is real, revoke it now: "
            "deleting it in a later commit leaves it in the git history. "
            "Load it from the environment or a secret store instead."
        ),
    )


def find_secrets(files: Iterable[DiffFile]) -> list[Finding]:
    """Likely secrets on added lines only (a removed secret is leaving, not arriving)."""
    findings: list[Finding] = []
    for file in files:
        for line in diff_lines(file.patch or ""):
            hit = _secret_on(line.text) if line.kind == "added" else None
            if hit is not None and line.new is not None:
                findings.append(_secret_finding(file.path, line.new, *hit))
    return findings


def oversized_files(files: Iterable[DiffFile], max_added_lines: int) -> list[Note]:
    """A file-level note (not an inline comment) for each file adding over `max_added_lines`."""
    return [
        Note(
            severity="info",
            path=file.path,
            body=(
                f"`{file.path}` adds {file.additions} lines (over {max_added_lines}): "
                "consider splitting it, or marking it generated and excluding it."
            ),
        )
        for file in files
        if file.additions > max_added_lines
    ]


def is_test_path(path: str) -> bool:
    """Whether a path looks like a test file, in the conventions of common languages."""
    return bool(_TEST_PATHS.match_file(path))


def is_source_path(path: str) -> bool:
    """Whether a path looks like application code (not a test, doc, example or script)."""
    parts = path.split("/")
    suffix = "." + parts[-1].rsplit(".", 1)[-1] if "." in parts[-1] else ""
    in_other_dir = any(part in _NOT_SOURCE_DIRS for part in parts[:-1])
    return suffix in _SOURCE_SUFFIXES and not in_other_dir and not is_test_path(path)


def missing_tests(diff: PullRequestDiff) -> Note | None:
    """A PR-level note when reviewed source files changed but no test file did (even skipped)."""
    every_path = [f.path for f in diff.files] + [s.path for s in diff.skipped]
    if any(is_test_path(path) for path in every_path):
        return None
    sources = [f.path for f in diff.files if is_source_path(f.path)]
    if not sources:
        return None
    named = ", ".join(f"`{path}`" for path in sources[:3])
    more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
    return Note(
        severity="minor",
        body=(
            f"Source files changed ({named}{more}) but no test file did. "
            "If existing tests already cover this change, ignore this note."
        ),
    )


def run_checks(diff: PullRequestDiff, options: ChecksOptions) -> ChecksReport:
    """Every enabled check over the reviewed files of a PR."""
    findings = find_secrets(diff.files) if options.secrets else []
    notes = oversized_files(diff.files, options.max_added_lines)
    tests_note = missing_tests(diff) if options.require_tests else None
    return ChecksReport(findings=findings, notes=[*notes, *([tests_note] if tests_note else [])])
