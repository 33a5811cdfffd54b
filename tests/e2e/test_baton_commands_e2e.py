"""`/baton help|config|pause|resume` and `extends: octo/.github`, through a real `baton serve`.

One world for the module: each test works on its own pull request (or repository).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from dbos import DBOSClient

from bot.dispatch.replies import refusal_text
from bot.engine import markers
from tests.e2e.conftest import INSTALLATION, REPO, World, comment_event, pr_event, running_world

ORG_REPO = "octo/.github"
ORG_FILE = """\
version: 1
llm: { model: org-model }
workflows:
  review:
    on: [pull_request.opened, pull_request.synchronize, /review]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.llm
        prompt: review
      - uses: review.publish
"""
REPO_FILE = """\
version: 1
extends: octo/.github
workflows:
  guard:
    on: [/guard]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.publish
"""
APP = "x = 1\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_world(tmp_path_factory.mktemp("baton-commands")) as shared:
        shared.github.add_repo(
            ORG_REPO, installation_id=INSTALLATION, files={".github/baton.yml": ORG_FILE}
        )
        files = {".github/baton.yml": REPO_FILE, "src/app.py": APP}
        shared.github.add_repo(REPO, installation_id=INSTALLATION, files=files)
        shared.github.set_role(REPO, "alice", "write")
        shared.github.set_role(REPO, "rita", "read")
        shared.llm.respond_with(lambda request: {"summary": "Looks fine.", "findings": []})
        yield shared


def open_pull(world: World, number: int) -> str:
    return world.github.add_pull(REPO, number=number, head_files={"src/app.py": f"x = {number}\n"})


def say(world: World, number: int, text: str, sender: str = "alice") -> tuple[str, int]:
    """Comment `text` on the pull; returns the delivery id and the comment's id."""
    comment = world.github.add_comment(REPO, number, text, author=sender)
    delivery = str(uuid.uuid4())
    world.send("issue_comment", comment_event(number, text, sender, comment), delivery=delivery)
    return delivery, comment


def reply_to(world: World, number: int, delivery: str) -> str:
    def found() -> str:
        bodies = [c.body for c in world.github.comments(REPO, number)]
        return next((b for b in bodies if markers.reply(delivery) in b), "")

    return str(world.wait_for(found, what=f"Baton's reply to {delivery}"))


def dispatched(world: World, delivery: str) -> Any:
    """What Baton's dispatch of `delivery` decided, once it finished (from its database)."""
    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:

        def done() -> Any:
            found = client.list_workflows(workflow_ids=[delivery], load_input=False)
            return found[0].output if found and found[0].status == "SUCCESS" else None

        return world.wait_for(done, what=f"the dispatch of {delivery}")
    finally:
        client.destroy()


def push(world: World, number: int, text: str) -> tuple[str, str]:
    head = world.github.push_to_pull(REPO, number, head_files={"src/app.py": text})
    delivery = str(uuid.uuid4())
    world.send("pull_request", pr_event("synchronize", number, head), delivery=delivery)
    return head, delivery


def test_baton_config_replies_with_the_merged_config_and_its_commits(world: World) -> None:
    open_pull(world, 1)
    delivery, comment = say(world, 1, "/baton config")

    body = reply_to(world, 1, delivery)

    assert "model: org-model" in body  # from the organisation's file
    assert "guard:" in body and "review:" in body  # the repository's workflow beside the org's
    assert "extends: octo/.github" in body
    assert f"{REPO}@{world.github.branches(REPO)['main']}" in body
    assert f"{ORG_REPO}@{world.github.branches(ORG_REPO)['main']}" in body
    assert "```yaml\n" in body
    assert [r.content for r in world.github.reactions(REPO, comment)] == ["eyes"]


def test_baton_help_lists_the_commands_and_who_may_use_them(world: World) -> None:
    open_pull(world, 2)
    delivery, comment = say(world, 2, "/baton help", sender="rita")  # a reader may ask

    body = reply_to(world, 2, delivery)

    assert "| `/review` | starts `review` | write or higher |" in body
    assert "| `/guard` | starts `guard` | write or higher |" in body
    assert "| `/baton help` | show this list | anyone |" in body
    assert "`/baton pause`" in body and "`/baton resume`" in body
    assert "- `review` on `pull_request.opened`, `pull_request.synchronize`" in body
    assert [r.content for r in world.github.reactions(REPO, comment)] == ["eyes"]


def test_a_reader_is_refused_pausing_reviews(world: World) -> None:
    open_pull(world, 3)
    delivery, comment = say(world, 3, "/baton pause", sender="rita")

    body = reply_to(world, 3, delivery)

    assert body == refusal_text("rita", "/baton pause", "write", "read", markers.reply(delivery))
    assert world.github.reactions(REPO, comment) == []


def test_pause_stops_reviews_on_that_pull_until_resume(world: World) -> None:
    open_pull(world, 4)
    paused, _ = say(world, 4, "/baton pause")
    assert "Paused automatic runs on this pull request (`review`)" in reply_to(world, 4, paused)
    assert "even while paused: `/review`, `/guard`" in reply_to(world, 4, paused)

    head, delivery = push(world, 4, "x = 40\n")
    assert dispatched(world, delivery) == {"runs": []}
    other = open_pull(world, 5)  # another pull request is still reviewed
    world.send("pull_request", pr_event("opened", 5, other))
    assert world.finished_check(other).conclusion == "success"
    assert world.github.check_runs(REPO, head) == []

    say(world, 4, "/guard")  # slash-commands still run while paused
    assert world.finished_check(head, name="Baton: guard").conclusion == "success"

    resumed, _ = say(world, 4, "/baton resume")
    assert "Resumed automatic runs" in reply_to(world, 4, resumed)
    new_head, _ = push(world, 4, "x = 41\n")
    assert world.finished_check(new_head).conclusion == "success"


def test_an_org_file_that_cannot_be_read_is_shown_on_the_check_run(world: World) -> None:
    lonely = "octo/lonely"
    world.github.add_repo("octo/secret", installation_id=INSTALLATION + 1)
    config = REPO_FILE.replace("extends: octo/.github", "extends: octo/secret")
    world.github.add_repo(lonely, installation_id=INSTALLATION, files={".github/baton.yml": config})
    head = world.github.add_pull(lonely, number=1, head_files={"a.py": "a = 1\n"})
    where = {"repository.full_name": lonely, "repository.name": "lonely"}

    world.send("pull_request", pr_event("opened", 1, head, **where))

    def finished() -> Any:
        runs = [r for r in world.github.check_runs(lonely, head) if r.status == "completed"]
        return runs[0] if runs else None

    summary = world.wait_for(finished, what="the review's check run").summary
    assert ".github/baton.yml line 2, column 10: extends: `octo/secret` cannot be read" in summary
    assert "is the Baton App installed on it?" in summary
    assert "the built-in defaults" in summary
