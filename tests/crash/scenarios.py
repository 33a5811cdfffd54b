"""The workflows the harness crashes: how each starts, is seeded and answered, what it leaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.engine import markers
from tests.crash.constants import OWNER
from tests.e2e.conftest import INSTALLATION
from tests.e2e.test_breakdown_e2e import PLAN as BREAKDOWN_PLAN
from tests.e2e.test_draft_e2e import APP as DRAFT_APP
from tests.e2e.test_draft_e2e import WRITTEN
from tests.e2e.test_draft_e2e import answer as draft_answer
from tests.e2e.test_review_e2e import APP as REVIEW_APP
from tests.e2e.test_review_e2e import CHANGED, answers, finding
from tests.fakes.github import FakeGitHub
from tests.payloads import payload


def command_event(
    repo: str, number: int, text: str, sender: str, comment: int, on_pull: bool
) -> Any:
    body = payload(
        "issue_comment",
        "created",
        **{
            "repository.full_name": repo,
            "repository.name": repo.split("/")[1],
            "repository.owner.login": OWNER,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "issue.number": number,
            "issue.pull_request.url": f"https://api.github.com/repos/{repo}/pulls/{number}",
            "comment.id": comment,
            "comment.body": text,
            "sender.login": sender,
            "sender.type": "User",
        },
    )
    if not on_pull:
        body["issue"].pop("pull_request", None)
    return body


def seed_review(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"src/app.py": REVIEW_APP})
    github.add_pull(repo, number=5, head_files={"src/app.py": CHANGED}, author="alice")
    github.set_role(repo, "wendy", "write")


def seed_draft(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"src/app.py": DRAFT_APP})
    github.add_issue(repo, number=12, title="Greet politely", body="Say Hello, not hi.")
    github.set_role(repo, "maya", "maintain")


def seed_breakdown(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    github.add_issue(repo, number=9, title="Search", body="Users want search.")
    github.set_role(repo, "maya", "maintain")


def expect_review(run_id: str) -> set[str]:
    return {
        f"comment {markers.summary('review')}",
        f"review {markers.review(run_id)}",
    }


def expect_draft(run_id: str) -> set[str]:
    return {
        f"comment {markers.approval(run_id)}",
        "comment <!-- baton:draft-pr 12 -->",
        "branch baton/issue-12",
        "pull from baton/issue-12",
        "commit on baton/issue-12",
        *(f"file {path} as planned" for path in WRITTEN),
    }


def expect_breakdown(run_id: str) -> set[str]:
    tasks = [str(task["title"]) for task in BREAKDOWN_PLAN["tasks"]]
    return {
        f"comment {markers.approval(run_id)}",
        f"comment <!-- baton:breakdown {run_id} -->",
        *(f"issue {markers.subtask(run_id, index)}" for index in range(len(tasks))),
        *(f"sub-issue link to {title!r}" for title in tasks),
    }


@dataclass(frozen=True)
class Scenario:
    workflow: str
    number: int
    command: str
    sender: str
    on_pull: bool
    approval: bool
    seed: Callable[[FakeGitHub, str], None]
    expected: Callable[[str], set[str]]  # what GitHub must hold once, besides the common things


SCENARIOS = {
    "review": Scenario("review", 5, "/review", "wendy", True, False, seed_review, expect_review),
    "draft": Scenario("draft", 12, "/draft", "maya", False, True, seed_draft, expect_draft),
    "breakdown": Scenario(
        "breakdown", 9, "/breakdown", "maya", False, True, seed_breakdown, expect_breakdown
    ),
}


def answer(body: dict[str, Any]) -> Any:
    """The scripted model for all three workflows, told apart by the output schema asked for."""
    schema = body.get("response_format", {}).get("json_schema", {}).get("name", "")
    if schema == "BreakdownPlan":
        return BREAKDOWN_PLAN
    if schema in ("DraftPlan", "FileWrite"):
        return draft_answer(body)
    return answers(finding("src/app.py", 3))(body)


# What GitHub holds after a run -------------------------------------------------------------
