"""The deterministic review checks: secrets, oversized files, missing tests."""

from __future__ import annotations

import pytest

from handlers.review.checks import (
    ChecksOptions,
    find_secrets,
    is_source_path,
    is_test_path,
    mask,
    run_checks,
)
from handlers.review.diff import commentable_lines
from handlers.review.models import DiffFile, PullRequestDiff, SkippedFile

# Built from parts so this file does not itself look like it leaks credentials.
AWS = "AKIA" + "IOSFODNN7EXAMPLQ"
GHP = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
SLACK = "xoxb-" + "123456789012-abcdefABCDEF"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----"


def _file(path: str, patch: str, additions: int | None = None) -> DiffFile:
    right, left = commentable_lines(patch)
    added = sum(1 for line in patch.splitlines() if line.startswith("+"))
    return DiffFile(
        path=path, status="modified", patch=patch,
        additions=added if additions is None else additions,
        right_lines=sorted(right), left_lines=sorted(left),
    )  # fmt: skip


def _added(*lines: str, start: int = 10) -> str:
    body = "\n".join(f"+{line}" for line in lines)
    return f"@@ -{start},1 +{start},{len(lines) + 1} @@\n context\n{body}"


def _diff(files: list[DiffFile], skipped: list[SkippedFile] | None = None) -> PullRequestDiff:
    return PullRequestDiff(
        number=1, title="t", author="a", head_sha="h", base_sha="b",
        files=files, skipped=skipped or [],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "kind", "secret"),
    [
        (f'aws_key_id = "{AWS}"', "AWS access key id", AWS),
        (f"export GITHUB_TOKEN={GHP}", "GitHub token", GHP),
        (f"token: {PAT}", "GitHub token", PAT),
        (f"SLACK={SLACK}", "Slack token", SLACK),
        (PEM, "private key", PEM),
        ('db_password = "s3cr3t-Pa55"', "hard-coded credential", "s3cr3t-Pa55"),
        ('"api_key": "9f8e7d6c5b4a3210"', "hard-coded credential", "9f8e7d6c5b4a3210"),
        ("CLIENT_SECRET := 'aLongEnoughValue'", "hard-coded credential", "aLongEnoughValue"),
    ],
)
def test_a_secret_on_an_added_line_is_critical_and_on_that_line(
    line: str, kind: str, secret: str
) -> None:
    [finding] = find_secrets([_file("app/config.py", _added("x = 1", line))])
    assert (finding.path, finding.line, finding.side) == ("app/config.py", 12, "RIGHT")
    assert (finding.severity, finding.source) == ("critical", "checks")
    assert kind in finding.title


@pytest.mark.parametrize(
    "line",
    [
        'password = "short"',
        'password = "${DB_PASSWORD}"',
        'api_key = "<your-api-key>"',
        'secret = "xxxxxxxxxxxx"',
        'token = "changeme-please"',
        'tokenizer = "bert-base-uncased"',
        'if password == "hunter2hunter2":',
        "password = os.environ['DB_PASSWORD']",
        "AKIA-is-not-a-key",
    ],
)
def test_ordinary_code_is_not_reported_as_a_secret(line: str) -> None:
    assert find_secrets([_file("app/x.py", _added(line))]) == []


def test_a_secret_on_a_removed_or_context_line_is_not_reported() -> None:
    patch = f"@@ -1,2 +1,1 @@\n-key = '{AWS}'\n token = '{GHP}'"
    assert find_secrets([_file("app/x.py", patch)]) == []


@pytest.mark.parametrize("secret", [AWS, GHP, PAT, SLACK, "s3cr3t-Pa55"])
def test_a_masked_secret_never_appears_whole_in_the_finding(secret: str) -> None:
    line = f'password = "{secret}"'
    [finding] = find_secrets([_file("app/x.py", _added(line))])
    text = finding.model_dump_json()
    assert secret not in text
    assert mask(secret) in finding.body
    assert len(mask(secret).rstrip("*")) <= min(4, len(secret) // 4)


def test_one_finding_per_line_even_when_several_patterns_match() -> None:
    findings = find_secrets([_file("app/x.py", _added(f'github_token = "{GHP}"'))])
    assert [f.title for f in findings] == ["Possible GitHub token added"]


def test_a_file_adding_over_the_limit_gets_a_file_level_info_note() -> None:
    diff = _diff([_file("gen/big.py", _added("x"), additions=1500), _file("a.py", _added("y"))])
    report = run_checks(diff, ChecksOptions(require_tests=False))
    assert report.findings == []
    assert [(n.severity, n.path) for n in report.notes] == [("info", "gen/big.py")]
    assert "1500" in report.notes[0].body


@pytest.mark.parametrize(
    ("paths", "skipped", "note"),
    [
        (["src/app.py"], [], True),
        (["src/app.py", "tests/test_app.py"], [], False),
        (["pkg/server.go", "pkg/server_test.go"], [], False),
        (["web/src/a.ts", "web/src/a.spec.ts"], [], False),
        (["lib/a.js", "lib/a.test.js"], [], False),
        (["src/app.py"], ["tests/fixtures/big.json"], False),
        (["README.md", "docs/guide.py", "pyproject.toml"], [], False),
        ([".github/workflows/ci.yml", "scripts/release.py"], [], False),
    ],
)
def test_source_changed_without_tests_gets_one_minor_pr_level_note(
    paths: list[str], skipped: list[str], note: bool
) -> None:
    diff = _diff(
        [_file(p, _added("x")) for p in paths],
        [SkippedFile(path=p, reason="excluded") for p in skipped],
    )
    notes = run_checks(diff, ChecksOptions()).notes
    assert [(n.severity, n.path) for n in notes] == ([("minor", None)] if note else [])


def test_disabled_checks_report_nothing() -> None:
    diff = _diff([_file("src/a.py", _added(f"k = '{AWS}'"), additions=5000)])
    options = ChecksOptions(max_added_lines=10_000, require_tests=False, secrets=False)
    assert run_checks(diff, options).model_dump() == {"findings": [], "notes": []}


@pytest.mark.parametrize(
    ("path", "test", "source"),
    [
        ("tests/unit/test_a.py", True, False),
        ("pkg/a_test.go", True, False),
        ("src/components/__tests__/a.jsx", True, False),
        ("src/Foo.spec.tsx", True, False),
        ("src/main/FooTest.java", True, False),
        ("src/a.py", False, True),
        ("bot/engine/run.py", False, True),
        ("contest/a.py", False, True),
        ("docs/conf.py", False, False),
        ("README.md", False, False),
    ],
)
def test_test_and_source_paths_are_told_apart(path: str, test: bool, source: bool) -> None:
    assert (is_test_path(path), is_source_path(path)) == (test, source)
