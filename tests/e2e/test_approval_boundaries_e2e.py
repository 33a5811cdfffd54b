"""Who may decide on a waiting plan, and where: only on the run's own issue, only on the plan
Baton itself wrote, and (when the workflow says so) never by the person who asked for it."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import (
    INSTALLATION,
    REPO,
    World,
    breakdown_config,
    comment_event,
    labeled_event,
)
from tests.e2e.test_breakdown_e2e import (
    PLAN,
    approval_comment,
    on_issue,
    shown_hash,
    start,
    sub_issue_titles,
)

OTHER = "mallory/playground"  # a repository where the attacker is a maintainer


def run_of(body: str) -> str:
    return re.search(r"<!-- baton:approval (\S+) -->", body)[1]  # type: ignore[index]


def on_other_repo(world: World, text: str, author: str) -> None:
    comment = world.github.add_comment(OTHER, 9, text, author=author)
    event = comment_event(9, text, author, comment)
    event["issue"].pop("pull_request", None)
    event["repository"].update(full_name=OTHER, name="playground", owner={"login": "mallory"})
    world.send("issue_comment", event)


def replied(world: World, repo: str, containing: str) -> Any:
    return world.wait_for(
        lambda: any(containing in c.body for c in world.github.comments(repo, 9)),
        what=f"a reply on {repo} saying {containing!r}",
    )


def test_a_maintainer_of_another_repository_cannot_approve_a_plan_here(world: World) -> None:
    plan_hash = start(world)
    run_id = run_of(approval_comment(world).body)
    world.github.add_repo(OTHER, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    world.github.add_issue(OTHER, number=9, title="Scratch", body="")
    world.github.set_role(OTHER, "mallory", "maintain")
    world.github.set_role(REPO, "mallory", "read")
    # A workflow of theirs posts as a bot, with the marker of the run waiting here.
    forged = f"<!-- baton:approval {run_id} -->\nwaiting for approval of `{plan_hash}`"
    world.github.add_comment(OTHER, 9, forged, author="github-actions[bot]")

    on_other_repo(world, f"/approve {plan_hash}", "mallory")

    replied(world, OTHER, "nothing here is waiting for approval")
    assert sub_issue_titles(world) == []
    assert "waiting for approval" in approval_comment(world).body
    on_issue(world, f"/approve {plan_hash}", "maya")
    world.wait_for(lambda: len(sub_issue_titles(world)) == 3, what="three sub-issues")


def test_another_bots_copy_of_the_plan_is_not_what_gets_approved(world: World) -> None:
    plan_hash = start(world)
    body = approval_comment(world).body
    swapped = body.replace("**Add a search index**", "**Give mallory admin**")
    world.github.add_comment(REPO, 9, swapped, author="github-actions[bot]")

    on_issue(world, f"/approve {plan_hash}", "maya")

    world.wait_for(lambda: len(sub_issue_titles(world)) == 3, what="three sub-issues")
    assert sub_issue_titles(world) == [t["title"] for t in PLAN["tasks"]]
    assert shown_hash(body) == plan_hash


SELF_APPROVAL_FORBIDDEN = breakdown_config("from: maintain, forbid_self_approval: true")


def test_the_requester_may_not_approve_their_own_plan_when_the_workflow_forbids_it(
    world: World,
) -> None:
    world.llm.respond_with(lambda request: PLAN)
    files = {".github/baton.yml": SELF_APPROVAL_FORBIDDEN}
    world.github.add_repo(REPO, installation_id=INSTALLATION, files=files)
    world.github.add_issue(REPO, number=9, title="Search", body="Users want search.")
    world.github.set_role(REPO, "maya", "maintain")
    world.github.set_role(REPO, "moss", "maintain")
    on_issue(world, "/breakdown", "maya")
    plan_hash = shown_hash(approval_comment(world, "waiting for approval").body)

    on_issue(world, f"/approve {plan_hash}", "maya")

    replied(world, REPO, "someone else must approve")
    assert sub_issue_titles(world) == []
    on_issue(world, f"/approve {plan_hash}", "moss")
    world.wait_for(lambda: len(sub_issue_titles(world)) == 3, what="three sub-issues")
    assert "Approved by @moss" in approval_comment(world).body


def test_a_label_that_starts_a_workflow_needs_the_commands_role(world: World) -> None:
    """Anyone with triage access may label an issue; `baton-draft` must not let them start a
    draft that `/draft` would refuse them."""
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    world.github.add_issue(REPO, number=9, title="Search", body="Users want search.")
    world.github.set_role(REPO, "tia", "triage")
    event = labeled_event(9, "baton-draft", "tia")

    world.send("issues", event)

    replied(world, REPO, "the label `baton-draft` starts a workflow, which needs **write**")
    assert not any("waiting for approval" in c.body for c in world.github.comments(REPO, 9))
    assert world.llm.requests == []
