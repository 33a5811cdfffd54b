"""`baton review URL [--dry-run]` as a user runs it: a real process, a personal token, the fake
GitHub and the scripted LLM on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.baton_process import ROOT
from tests.fakes.github import FakeGitHub
from tests.fakes.llm import FakeLLM

REPO = "octo/demo"
APP = "\n".join(f"line {n}" for n in range(1, 11)) + "\n"
CHANGED = APP.replace("line 3\n", "result = risky()\n")
CONFIG = """\
version: 1
llm: { provider: openai, model: tiny-reviewer }
workflows:
  review:
    on: [pull_request.opened]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.llm
      - uses: review.publish
"""
# Settings the developer's own shell may hold, which must not leak into these runs.
OWN_SETTINGS = ("GITHUB_", "OPENAI_", "ANTHROPIC_", "BATON_", "DATABASE_URL")


@dataclass
class Sandbox:
    github: FakeGitHub
    llm: FakeLLM
    token: str
    env: dict[str, str]
    workdir: Path

    def baton(self, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        """`python -m bot ARGS` with this sandbox's settings; a None value unsets a variable."""
        merged = {**self.env, **env}
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.workdir,
            env={k: v for k, v in merged.items() if v is not None},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def pull_url(self, number: int, repo: str = REPO) -> str:
        return f"{self.github.base_url}/{repo}/pull/{number}"

    def writes_since(self, seen: int) -> list[str]:
        # POST /graphql is a query: the fake answers no mutation (routes_graphql.py).
        sent = self.github.requests[seen:]
        return [f"{r.method} {r.path}" for r in sent if r.method != "GET" and r.path != "/graphql"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    github, llm = FakeGitHub(), FakeLLM()
    github.add_repo(REPO, files={"src/app.py": APP, ".github/baton.yml": CONFIG})
    github.add_repo("octo/plain", files={"src/app.py": APP})
    token = github.add_user_token("carol")
    with github.serve() as api_url, llm.serve() as llm_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
        env |= {
            "PYTHONPATH": str(ROOT),
            "GITHUB_TOKEN": token,
            "GITHUB_API_URL": api_url,
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": llm_url,
        }
        yield Sandbox(github, llm, token, env, tmp_path_factory.mktemp("cli"))


def finding(line: int, body: str) -> dict[str, Any]:
    return {
        "path": "src/app.py",
        "line": line,
        "side": "RIGHT",
        "severity": "major",
        "title": "Unchecked call",
        "body": body,
    }


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


def test_dry_run_prints_the_review_and_posts_nothing(sandbox: Sandbox) -> None:
    github = sandbox.github
    github.add_pull(REPO, number=5, title="Call risky", head_files={"src/app.py": CHANGED})
    sandbox.llm.respond_with(
        lambda _: {"summary": "Calls risky() on line 3.", "findings": [finding(3, "Check it.")]}
    )
    seen = len(github.requests)

    result = sandbox.baton("review", sandbox.pull_url(5), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "nothing was posted" in result.stdout
    assert "src/app.py:3" in result.stdout
    assert "Check it." in result.stdout
    assert "Calls risky() on line 3." in result.stdout  # the summary comment
    assert "<!-- baton:" not in result.stdout
    assert sandbox.writes_since(seen) == []
    assert github.comments(REPO, 5) == []
    assert github.reviews(REPO, 5) == []
    assert github.check_runs(REPO) == []
    assert [r.model for r in sandbox.llm.requests[-1:]] == ["tiny-reviewer"]  # the repo's config


def test_without_dry_run_the_review_is_posted_as_the_tokens_user(sandbox: Sandbox) -> None:
    github = sandbox.github
    github.add_pull("octo/plain", number=2, head_files={"src/app.py": CHANGED})
    sandbox.llm.respond_with(
        lambda _: {"summary": "Calls risky().", "findings": [finding(3, "Handle its error.")]}
    )

    result = sandbox.baton("review", sandbox.pull_url(2, "octo/plain"))

    assert result.returncode == 0, result.stderr
    [review] = github.reviews("octo/plain", 2)
    assert review.author == "carol"
    assert [(c.path, c.line) for c in review.comments] == [("src/app.py", 3)]
    [summary] = github.comments("octo/plain", 2)
    assert summary.author == "carol" and "Calls risky()." in summary.body
    assert github.check_runs("octo/plain") == []  # a personal token cannot make check runs


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["https://github.com/octo/demo/issues/5"], {}, "is not a pull request's address"),
        (["{base}/octo/demo/pull/5", "--dry-run"], {"GITHUB_TOKEN": None}, "set GITHUB_TOKEN"),
        (["{base}/octo/demo/pull/404", "--dry-run"], {}, "octo/demo#404: no such pull request"),
        (
            ["{base}/octo/demo/pull/5", "--dry-run"],
            {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None},
            "set OPENAI_API_KEY",
        ),
    ],
    ids=["not-a-pull-url", "no-token", "no-such-pull", "no-llm-key"],
)
def test_a_problem_is_one_line_and_exit_code_2(
    sandbox: Sandbox, args: list[str], env: dict[str, str | None], says: str
) -> None:
    if 5 not in sandbox.github.repos[REPO].issues:
        sandbox.github.add_pull(REPO, number=5, head_files={"src/app.py": CHANGED})
    base = sandbox.github.base_url
    seen = len(sandbox.github.requests)

    result = sandbox.baton("review", *[a.format(base=base) for a in args], **env)

    assert result.returncode == 2
    assert says in one_line(result)
    assert result.stdout == ""
    assert sandbox.writes_since(seen) == []
