"""Breakdown of an issue into sub-issues, with a maintainer's approval in between."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import INSTALLATION, REPO, World, comment_event

PLAN = {
    "tasks": [
        {"title": "Add a search index", "body": "Store words per page.", "acceptance": ["Indexed"]},
        {"title": "Add the search endpoint", "body": "GET /search?q=", "acceptance": []},
        {"title": "Document search", "body": "", "acceptance": ["README section"]},
    ]
}


def on_issue(world: World, text: str, author: str) -> None:
    comment = world.github.add_comment(REPO, 9, text, author=author)
    event = comment_event(9, text, author, comment)
    event["issue"].pop("pull_request", None)
    world.send("issue_comment", event)


def approval_comment(world: World, containing: str = "") -> Any:
    def found() -> Any:
        return next(
            (
                c
                for c in world.github.comments(REPO, 9)
                if "baton:approval" in c.body and containing in c.body
            ),
            None,
        )

    return world.wait_for(found, what=f"the approval comment with {containing!r}")


def shown_hash(body: str) -> str:
    return re.search(r"waiting for approval of `([0-9a-f]{8})`", body).group(1)  # type: ignore[union-attr]


def start(world: World) -> str:
    world.llm.respond_with(lambda request: PLAN)
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    world.github.add_issue(REPO, number=9, title="Search", body="Users want search.")
    world.github.set_role(REPO, "maya", "maintain")
    world.github.set_role(REPO, "walt", "write")
    on_issue(world, "/breakdown", "maya")
    return shown_hash(approval_comment(world, "waiting for approval").body)


def sub_issue_titles(world: World) -> list[str]:
    return [issue.title for issue in world.github.sub_issues(REPO, 9)]


def test_approved_breakdown_creates_linked_sub_issues(world: World) -> None:
    plan_hash = start(world)

    on_issue(world, f"/approve {plan_hash}", "maya")

    world.wait_for(lambda: len(sub_issue_titles(world)) == 3, what="three sub-issues")
    assert sub_issue_titles(world) == [t["title"] for t in PLAN["tasks"]]
    assert "Approved by @maya" in approval_comment(world).body


def test_approval_from_a_writer_is_refused_and_the_run_keeps_waiting(world: World) -> None:
    plan_hash = start(world)

    on_issue(world, f"/approve {plan_hash}", "walt")

    world.wait_for(
        lambda: any(
            "@walt" in c.body and "maintain" in c.body for c in world.github.comments(REPO, 9)
        ),
        what="a refusal naming who may approve",
    )
    on_issue(world, f"/approve {plan_hash}", "maya")
    world.wait_for(lambda: len(sub_issue_titles(world)) == 3, what="three sub-issues")


def test_edited_plan_needs_its_new_hash_and_is_what_gets_created(world: World) -> None:
    old_hash = start(world)
    comment = approval_comment(world)
    edited = comment.body.replace(
        "- [x] **Add the search endpoint**", "- [ ] **Add the search endpoint**"
    )
    edited = edited.replace("**Document search**", "**Write the search docs**")
    world.github.repos[REPO].comments[comment.id].body = edited

    on_issue(world, f"/approve {old_hash}", "maya")

    refreshed = approval_comment(world, "Not approved")
    new_hash = shown_hash(refreshed.body)
    assert new_hash != old_hash
    on_issue(world, f"/approve {new_hash}", "maya")
    world.wait_for(lambda: len(sub_issue_titles(world)) == 2, what="two sub-issues")
    assert sub_issue_titles(world) == ["Add a search index", "Write the search docs"]
