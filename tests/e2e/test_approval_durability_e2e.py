"""A run waiting for approval, as people rely on it: it survives crashes and restarts, it acts
on decisions sent while Baton was down, it never doubles sub-issues, it times out, and the check
run's buttons decide like comments do."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest

from bot.engine import markers
from tests.e2e.conftest import INSTALLATION, REPO, World, breakdown_config, comment_event
from tests.e2e.test_breakdown_e2e import PLAN, approval_comment, on_issue, shown_hash
from tests.fakes.github import Reply, Seen
from tests.payloads import payload

TITLES = [str(task["title"]) for task in PLAN["tasks"]]
CHECK_NAME = "Baton: breakdown"
ISSUES_PATH = f"/repos/{REPO}/issues"  # POST here creates an issue
FAST_TIMEOUT = breakdown_config("timeout: 3s")


def seed(world: World, config: str | None = None) -> None:
    world.llm.respond_with(lambda request: PLAN)
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    if config is not None:
        world.github.commit(REPO, "main", {".github/baton.yml": config}, "Configure Baton")
    world.github.add_issue(REPO, number=9, title="Search", body="Users want search.")
    world.github.set_role(REPO, "maya", "maintain")
    world.github.set_role(REPO, "walt", "write")


def ask_for_breakdown(world: World, config: str | None = None) -> str:
    """Seed the repo, comment /breakdown, and return the hash the approval comment shows."""
    seed(world, config)
    on_issue(world, "/breakdown", "maya")
    return shown_hash(approval_comment(world, "waiting for approval").body)


def breakdown_check(world: World, conclusion: str) -> Any:
    def found() -> Any:
        runs = [r for r in world.github.check_runs(REPO) if r.name == CHECK_NAME]
        return next((r for r in runs if r.conclusion == conclusion), None)

    return world.wait_for(found, what=f"check run {CHECK_NAME!r} concluded {conclusion!r}")


def approval_comments(world: World) -> list[Any]:
    return [c for c in world.github.comments(REPO, 9) if "baton:approval" in c.body]


def sub_issue_titles(world: World) -> list[str]:
    return [issue.title for issue in world.github.sub_issues(REPO, 9)]


def wait_for_sub_issues(world: World, count: int = 3) -> None:
    world.wait_for(lambda: len(sub_issue_titles(world)) >= count, what=f"{count} sub-issues")


def subtask_issues(world: World) -> list[Any]:
    """Issues Baton opened for a plan's tasks (each carries its hidden subtask marker)."""
    return [
        i
        for i in world.github.issues(REPO)
        if i.author == world.github.bot_login and "<!-- baton:subtask " in i.body
    ]


def restart(world: World) -> None:
    world.baton.kill()
    world.baton.start()


def test_a_run_waiting_for_approval_survives_sigkill_and_finishes_when_approved_after_restart(
    world: World,
) -> None:
    plan_hash = ask_for_breakdown(world)

    restart(world)
    on_issue(world, f"/approve {plan_hash}", "maya")

    wait_for_sub_issues(world)
    breakdown_check(world, "success")
    assert sub_issue_titles(world) == TITLES
    [comment] = approval_comments(world)
    assert "Approved by @maya" in comment.body


def test_an_approval_sent_while_baton_is_down_is_acted_on_when_redelivered_after_restart(
    world: World,
) -> None:
    plan_hash = ask_for_breakdown(world)
    world.baton.kill()

    text = f"/approve {plan_hash}"
    comment = world.github.add_comment(REPO, 9, text, author="maya")
    event = comment_event(9, text, "maya", comment)
    event["issue"].pop("pull_request", None)
    delivery = str(uuid.uuid4())
    with pytest.raises(httpx.ConnectError):
        world.send("issue_comment", event, delivery)
    world.baton.start()
    redelivered = world.send("issue_comment", event, delivery)

    assert redelivered.status_code == 202
    wait_for_sub_issues(world)
    assert sub_issue_titles(world) == TITLES
    assert "Approved by @maya" in approval_comments(world)[0].body


class CrashOnIssueCreation:
    """Kills Baton once, at the `nth` issue creation: after GitHub made it, or before."""

    def __init__(self, world: World, nth: int) -> None:
        self.world, self.nth = world, nth
        self.seen = 0
        self.lock = threading.Lock()
        self.killed = threading.Event()
        self.issues_when_killed = -1

    def _is_nth(self, seen: Seen, reply: Reply | None = None) -> bool:
        if seen.method != "POST" or seen.path != ISSUES_PATH or self.killed.is_set():
            return False
        if reply is not None and reply.status != 201:
            return False
        with self.lock:
            self.seen += 1
            return self.seen == self.nth

    def _kill(self) -> None:
        # Runs in the fake's server thread, in this test process: the request is in flight.
        self.world.baton.kill()
        self.issues_when_killed = len(subtask_issues(self.world))
        self.killed.set()

    def before(self, seen: Seen) -> Reply | None:
        if not self._is_nth(seen):
            return None
        self._kill()
        return Reply(502, {"message": "Bad Gateway"})  # nobody is left to read it

    def after(self, seen: Seen, reply: Reply) -> Reply | None:
        if self._is_nth(seen, reply):
            self._kill()
        return None


@pytest.mark.parametrize(
    ("when", "nth"),
    [("after", 2), ("before", 3)],
    ids=["killed-after-github-made-the-2nd-issue", "killed-before-the-3rd-issue"],
)
def test_a_crash_during_breakdown_create_leaves_exactly_the_planned_sub_issues(
    world: World, when: str, nth: int
) -> None:
    plan_hash = ask_for_breakdown(world)
    crash = CrashOnIssueCreation(world, nth)
    if when == "after":
        world.github.after_hooks.append(crash.after)
    else:
        world.github.before_hooks.append(crash.before)

    on_issue(world, f"/approve {plan_hash}", "maya")
    world.wait_for(crash.killed.is_set, what=f"Baton killed {when} issue creation #{nth}")
    world.baton.start()

    check = breakdown_check(world, "success")
    assert crash.issues_when_killed == 2
    assert sub_issue_titles(world) == TITLES
    made = subtask_issues(world)
    assert sorted(i.title for i in made) == sorted(TITLES)
    for index in range(len(TITLES)):
        marker = markers.subtask(check.external_id, index)
        assert sum(marker in i.body for i in made) == 1, marker
    summaries = [c for c in world.github.comments(REPO, 9) if "<!-- baton:breakdown " in c.body]
    assert len(summaries) == 1


def test_a_timed_out_approval_ends_the_run_and_says_so(world: World) -> None:
    ask_for_breakdown(world, config=FAST_TIMEOUT)

    check = breakdown_check(world, "timed_out")

    assert check.status == "completed"
    [comment] = approval_comments(world)
    assert "timed out" in comment.body
    assert sub_issue_titles(world) == []
    assert subtask_issues(world) == []


def press(world: World, button: str, sender: str) -> None:
    """A person presses one of the check run's buttons; GitHub sends `requested_action`."""
    check = breakdown_check(world, "action_required")
    body = payload(
        "check_run",
        "requested_action",
        **{
            "repository.full_name": REPO,
            "repository.name": REPO.split("/")[1],
            "repository.owner.login": REPO.split("/")[0],
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "check_run.id": check.id,
            "check_run.name": check.name,
            "check_run.head_sha": check.head_sha,
            "check_run.external_id": check.external_id,
            "check_run.pull_requests": [],  # a check run on an issue's commit has no pulls
            "requested_action.identifier": button,
            "sender.login": sender,
            "sender.type": "User",
        },
    )
    body["action"] = "requested_action"
    assert world.send("check_run", body).status_code == 202


def test_the_approve_button_on_the_check_run_approves_the_plan(world: World) -> None:
    ask_for_breakdown(world)

    press(world, "approve", "maya")

    wait_for_sub_issues(world)
    breakdown_check(world, "success")
    assert sub_issue_titles(world) == TITLES
    assert "Approved by @maya" in approval_comments(world)[0].body


def test_the_approve_button_pressed_by_a_writer_gets_a_reply_naming_the_required_role(
    world: World,
) -> None:
    plan_hash = ask_for_breakdown(world)

    press(world, "approve", "walt")

    refusal = world.wait_for(
        lambda: next(
            (
                c
                for c in world.github.comments(REPO, 9)
                if "@walt" in c.body and "baton:approval" not in c.body
            ),
            None,
        ),
        what="a reply to @walt",
    )
    assert "**maintain**" in refusal.body
    assert sub_issue_titles(world) == []
    assert f"`/approve {plan_hash}` to go ahead" in approval_comments(world)[0].body
    breakdown_check(world, "action_required")  # still asking
