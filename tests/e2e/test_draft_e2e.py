"""From an issue to a draft pull request, through a plan a maintainer approves."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import INSTALLATION, REPO, World, comment_event, labeled_event

APP = "def greet(name):\n    return 'hi ' + name\n"
PLAN = {
    "approach": "Greet politely and document it.",
    "files": [
        {"path": "src/app.py", "action": "modify", "why": "say hello instead of hi"},
        {"path": "docs/greeting.md", "action": "create", "why": "document the greeting"},
    ],
    "risks": ["callers that parse the greeting"],
}
WRITTEN = {
    "src/app.py": "def greet(name):\n    return 'Hello, ' + name\n",
    "docs/greeting.md": "# Greeting\n\n`greet(name)` says Hello.\n",
}


def answer(request: dict[str, Any]) -> Any:
    """The scripted model: a plan, or the file the prompt asks for."""
    text = str(request)
    if "DraftPlan" in text:
        return PLAN
    path = next(p for p in WRITTEN if f"File: `{p}`" in text)
    return {"path": path, "content": WRITTEN[path]}


def on_issue(world: World, text: str, author: str = "maya") -> None:
    comment = world.github.add_comment(REPO, 12, text, author=author)
    event = comment_event(12, text, author, comment)
    event["issue"].pop("pull_request", None)
    world.send("issue_comment", event)


def approval_hash(world: World) -> str:
    def posted() -> Any:
        return next(
            (c for c in world.github.comments(REPO, 12) if "waiting for approval of" in c.body),
            None,
        )

    body = world.wait_for(posted, what="the plan posted for approval").body
    return re.search(r"approval of `([0-9a-f]{8})`", body).group(1)  # type: ignore[union-attr]


def seed(world: World) -> None:
    world.llm.respond_with(answer)
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"src/app.py": APP})
    world.github.add_issue(REPO, number=12, title="Greet politely", body="Say Hello, not hi.")
    world.github.set_role(REPO, "maya", "maintain")


def draft_pulls(world: World) -> list[Any]:
    return [p for p in world.github.pulls(REPO) if p.head_ref == "baton/issue-12"]


def test_approved_draft_opens_one_draft_pull_request_with_the_written_files(world: World) -> None:
    seed(world)
    on_issue(world, "/draft")

    on_issue(world, f"/approve {approval_hash(world)}")

    [pull] = world.wait_for(lambda: draft_pulls(world), what="the draft pull request")
    assert pull.draft
    assert "Closes #12" in pull.body
    for path, text in WRITTEN.items():
        assert world.github.file_at(REPO, "baton/issue-12", path) == text
    assert world.github.file_at(REPO, "main", "src/app.py") == APP
    check = world.finished_check(world.github.repos[REPO].branches["main"], name="Baton: draft")
    assert check.conclusion == "success"


def test_the_baton_draft_label_starts_a_draft(world: World) -> None:
    seed(world)
    event = labeled_event(12, "baton-draft", "maya")

    world.send("issues", event)

    assert approval_hash(world)


def kill_after_applying(world: World, method: str, path_end: str) -> None:
    """GitHub applies the write, then Baton dies before hearing back (SIGKILL)."""
    fired: list[bool] = []

    def hook(seen: Any, reply: Any) -> None:
        if not fired and seen.method == method and seen.path.endswith(path_end):
            fired.append(True)
            world.baton.kill()

    world.github.after_hooks.append(hook)


def test_a_crash_after_the_pull_request_was_created_leaves_one_branch_and_one_pull(
    world: World,
) -> None:
    seed(world)
    kill_after_applying(world, "POST", "/pulls")
    on_issue(world, "/draft")
    on_issue(world, f"/approve {approval_hash(world)}")
    world.wait_for(
        lambda: world.baton.proc and world.baton.proc.poll() is not None, what="the kill"
    )

    world.baton.start()

    world.finished_check(world.github.repos[REPO].branches["main"], name="Baton: draft")
    assert len(draft_pulls(world)) == 1
    assert [b for b in world.github.repos[REPO].branches if b.startswith("baton/")] == [
        "baton/issue-12"
    ]
    assert world.github.file_at(REPO, "baton/issue-12", "src/app.py") == WRITTEN["src/app.py"]


CODEOWNERS = "* @octo/maintainers\n"


def test_a_draft_touching_github_waits_for_an_approval_of_the_exact_diff(world: World) -> None:
    """The plan approved first names paths; what the model then writes could be anything, so
    files under `.github/` are shown as a diff and wait for a second approval."""
    plan = {**PLAN, "files": [*PLAN["files"], {"path": ".github/CODEOWNERS", "action": "create",
                                                "why": "name the owners"}]}  # fmt: skip
    written = {**WRITTEN, ".github/CODEOWNERS": CODEOWNERS}

    def answer_with_codeowners(request: dict[str, Any]) -> Any:
        if "DraftPlan" in str(request):
            return plan
        path = next(p for p in written if f"File: `{p}`" in str(request))
        return {"path": path, "content": written[path]}

    seed(world)
    world.llm.respond_with(answer_with_codeowners)
    on_issue(world, "/draft")
    on_issue(world, f"/approve {approval_hash(world)}")

    def diff_shown() -> Any:
        return next(
            (c for c in world.github.comments(REPO, 12) if "Changes for #12 — waiting" in c.body),
            None,
        )

    shown = world.wait_for(diff_shown, what="the written files shown for approval").body
    assert "+++ b/.github/CODEOWNERS" in shown and "+* @octo/maintainers" in shown
    assert draft_pulls(world) == []  # nothing is committed before the second approval
    diff_hash = re.search(r"approval of `([0-9a-f]{8})`", shown).group(1)  # type: ignore[union-attr]
    on_issue(world, f"/approve {diff_hash}")

    world.wait_for(lambda: draft_pulls(world), what="the draft pull request")
    for path, text in written.items():
        assert world.github.file_at(REPO, "baton/issue-12", path) == text
