"""One world for the run pages' and `baton runs` tests: a few finished runs made through it.

The runs are made once for the package: a review that succeeded, one on another repository,
one that failed (the model answered garbage twice), and a breakdown a maintainer approved.
Tests that change runs (retry, cancel, fork) make or use their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INSTALLATION, REPO, World, comment_event, pr_event, running_world
from tests.e2e.test_review_e2e import APP, CHANGED, finding
from tests.fakes.llm import requested_schema

TOKEN = "e2e-admin-token-for-run-pages"
OTHER_REPO = "octo/other"
PLAN = {"tasks": [{"title": "Index pages", "body": "Store words.", "acceptance": ["Indexed"]}]}
REVIEW = {"summary": "Changes line 3.", "findings": [finding("src/app.py", 3)]}
UNTRUSTED_TITLE = '<script>alert("pwned")</script> Fix <b>bold</b>'
STATUS = re.compile(r'id="run-status" class="status status-(\w+)"')
WAITING = re.compile(r"<!-- baton:approval (\S+) -->")
ENGINE = re.compile(r'id="engine-status">(\w+)<')
ENDED = ("SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED")
OVER = ("succeeded", "neutral", "failed", "timed_out", "cancelled")


def answer(body: dict[str, Any]) -> Any:
    """A review for review prompts, a plan for everything else (breakdowns)."""
    name = requested_schema("openai", body)[1] or ""
    return REVIEW if "review" in name.lower() else PLAN


@dataclass
class RunsWorld:
    world: World
    ok_run: str = ""
    ok_tokens: int = 0
    other_run: str = ""
    failed_run: str = ""
    approved_run: str = ""
    issues: list[int] = field(default_factory=lambda: [20])

    @property
    def url(self) -> str:
        return self.world.baton.url

    def get(self, path: str, **params: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.get(self.url + path, params=params, headers=auth, timeout=10)

    def post(self, path: str, **fields: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.post(self.url + path, data=fields, headers=auth, timeout=10)

    def status(self, run_id: str) -> str:
        match = STATUS.search(self.get(f"/runs/{run_id}").text)
        return match.group(1) if match else "missing"

    def finished(self, run_id: str) -> str:
        """The run's status once it is over (its page no longer says queued or running)."""

        def over() -> str | None:
            page = self.get(f"/runs/{run_id}").text
            status, engine = STATUS.search(page), ENGINE.search(page)
            done = status and engine and status.group(1) in OVER and engine.group(1) in ENDED
            return status.group(1) if status and done else None

        result: str = self.world.wait_for(over, what=f"run {run_id} to end")
        return result

    def review(self, number: int, repo: str = REPO, title: str = "A change") -> str:
        """Open a pull and have it reviewed; returns the run's id once the run is over."""
        github = self.world.github
        if repo not in github.repos:
            github.add_repo(repo, installation_id=INSTALLATION, files={"src/app.py": APP})
        head = github.add_pull(
            repo, number=number, head_files={"src/app.py": CHANGED}, title=title, author="alice"
        )
        overrides = {"repository.full_name": repo, "repository.name": repo.split("/")[1]}
        # The delivery carries the pull as GitHub has it, title included (a run opened by it
        # takes the pull from the delivery).
        overrides |= {"pull_request.title": title, "pull_request.user.login": "alice"}
        self.world.send("pull_request", pr_event("opened", number, head, **overrides))

        def checked() -> Any:
            runs = github.check_runs(repo, head)
            return next((c for c in runs if c.status == "completed"), None)

        run_id = str(self.world.wait_for(checked, what=f"a check run on {repo}").external_id)
        self.finished(run_id)
        return run_id

    def failed_review(self, number: int, title: str = "A change") -> str:
        """A review whose model answers garbage twice (the answer and its one repair)."""
        self.world.llm.script("this is not JSON", "still not JSON")
        return self.review(number, title=title)

    def comment(self, issue: int, text: str, author: str) -> None:
        comment = self.world.github.add_comment(REPO, issue, text, author=author)
        event = comment_event(issue, text, author, comment)
        event["issue"].pop("pull_request", None)
        self.world.send("issue_comment", event)

    def waiting_breakdown(self) -> tuple[str, int]:
        """A breakdown waiting for a maintainer's approval: (its run id, its issue)."""
        issue = self.issues[-1] + 1
        self.issues.append(issue)
        self.world.github.add_issue(REPO, number=issue, title="Search", body="Users want search.")
        self.comment(issue, "/breakdown", "maya")

        def waiting() -> str | None:
            bodies = [c.body for c in self.world.github.comments(REPO, issue)]
            found = [m.group(1) for b in bodies if "waiting" in b for m in WAITING.finditer(b)]
            return found[0] if found else None

        run_id: str = self.world.wait_for(waiting, what=f"a breakdown waiting on #{issue}")
        return run_id, issue


def make_runs(runs: RunsWorld) -> None:
    world = runs.world
    world.llm.respond_with(answer)
    runs.ok_run = runs.review(5)
    runs.ok_tokens = sum(r.input_tokens + r.output_tokens for r in world.llm.requests)
    runs.other_run = runs.review(1, repo=OTHER_REPO)
    runs.failed_run = runs.failed_review(6, title=UNTRUSTED_TITLE)
    world.github.set_role(REPO, "maya", "maintain")
    runs.approved_run, issue = runs.waiting_breakdown()
    approval = next(c.body for c in world.github.comments(REPO, issue) if "approval" in c.body)
    plan_hash = re.search(r"waiting for approval of `([0-9a-f]{8})`", approval).group(1)  # type: ignore[union-attr]
    runs.comment(issue, f"/approve {plan_hash}", "maya")
    runs.finished(runs.approved_run)


@pytest.fixture(scope="package")
def runs_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunsWorld]:
    workdir = tmp_path_factory.mktemp("runs-world")
    with running_world(workdir, BATON_ADMIN_TOKEN=TOKEN) as world:
        runs = RunsWorld(world)
        make_runs(runs)
        yield runs


def database_url(runs: RunsWorld) -> str:
    return str(runs.world.baton.env["DATABASE_URL"])


def artifacts() -> Path:
    folder = Path(__file__).resolve().parents[2] / "artifacts" / "run-pages"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
