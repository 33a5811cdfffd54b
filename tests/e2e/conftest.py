"""End-to-end world: fake GitHub and scripted LLM on loopback, `baton serve` as a process."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.baton_process import BatonProcess
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.fakes.llm import FakeLLM
from tests.payloads import payload

SECRET = "e2e-webhook-secret"
REPO = "octo/demo"
INSTALLATION = 42


@dataclass
class World:
    github: FakeGitHub
    llm: FakeLLM
    baton: BatonProcess

    def send(self, event: str, body: dict[str, Any], delivery: str | None = None) -> httpx.Response:
        return self.baton.send(event, body, SECRET, delivery or str(uuid.uuid4()))

    def wait_for(self, condition: Callable[[], Any], timeout: float = 40, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what or condition}\n{self.baton.log()}")

    def finished_check(self, head_sha: str, name: str = "Baton: review") -> Any:
        def done() -> Any:
            runs = [r for r in self.github.check_runs(REPO, head_sha) if r.name == name]
            return next((r for r in runs if r.status == "completed"), None)

        return self.wait_for(done, what=f"a completed check run {name!r} on {head_sha[:7]}")

    def settle(self, seconds: float = 1.5) -> int:
        """Let in-flight work finish; returns how many requests GitHub saw by then."""
        time.sleep(seconds)
        return len(self.github.requests)


def pr_event(action: str, number: int, head_sha: str, **overrides: Any) -> dict[str, Any]:
    body = payload(
        "pull_request",
        action,
        **{
            "repository.full_name": REPO,
            "repository.name": REPO.split("/")[1],
            "repository.owner.login": REPO.split("/")[0],
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "pull_request.number": number,
            "pull_request.head.sha": head_sha,
            "pull_request.draft": False,
            "sender.login": "alice",
            "sender.type": "User",
            **overrides,
        },
    )
    body["action"] = action
    return body


def breakdown_config(approval_with: str) -> str:
    """A `.github/baton.yml` whose breakdown workflow's approval takes `with: {approval_with}`."""
    return (
        "version: 1\nworkflows:\n  breakdown:\n    on: [/breakdown]\n    steps:\n"
        "      - uses: issue.read\n      - uses: breakdown.propose\n        prompt: breakdown\n"
        f"      - uses: approval\n        with: {{ {approval_with} }}\n"
        "      - uses: breakdown.create\n"
    )


def labeled_event(number: int, label: str, sender: str) -> dict[str, Any]:
    """`issues.labeled`: `sender` added `label` to issue `number`."""
    event = payload(
        "issues",
        "labeled",
        **{
            "repository.full_name": REPO,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "issue.number": number,
            "label.name": label,
            "sender.login": sender,
            "sender.type": "User",
        },
    )
    event["issue"].pop("pull_request", None)
    return event


def comment_event(number: int, text: str, sender: str, comment_id: int) -> dict[str, Any]:
    return payload(
        "issue_comment",
        "created",
        **{
            "repository.full_name": REPO,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "issue.number": number,
            "issue.pull_request.url": f"https://api.github.com/repos/{REPO}/pulls/{number}",
            "comment.id": comment_id,
            "comment.body": text,
            "sender.login": sender,
            "sender.type": "User",
        },
    )


@contextmanager
def running_world(workdir: Path, **extra_env: str) -> Iterator[World]:
    github = FakeGitHub(app_id=7, public_key_pem=keys.app_public_key())
    llm = FakeLLM()
    with github.serve() as api_url, llm.serve() as llm_url:
        env = {
            "GITHUB_APP_ID": "7",
            "GITHUB_PRIVATE_KEY": keys.app_private_key(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{workdir / 'baton.sqlite'}",
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": llm_url,
            "BATON_LOG_LEVEL": "WARNING",
            "BATON_DEBOUNCE_SECONDS": "0.2",
            **extra_env,
        }
        baton = BatonProcess(env, workdir, workdir / "baton.log")
        baton.start()
        try:
            yield World(github, llm, baton)
        finally:
            baton.stop()


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """A fresh world per test: for tests that look at GitHub's state. A module (or test) marked
    `@pytest.mark.baton_env(NAME="value", ...)` starts Baton with those settings too."""
    marker = request.node.get_closest_marker("baton_env")
    with running_world(tmp_path, **(marker.kwargs if marker else {})) as fresh:
        yield fresh


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world for a module whose tests only look at HTTP answers."""
    with running_world(tmp_path_factory.mktemp("world")) as shared:
        yield shared
