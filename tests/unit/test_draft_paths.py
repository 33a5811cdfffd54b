"""Which paths a draft may write: inside the repository, written one way only, and not what
GitHub Actions runs unless the repository's config says so."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.engine.context import StepContext, StepFailed
from handlers.approval.plans import PlanParseError
from handlers.draft.open_pr import OpenInput, draft_open_pr
from handlers.draft.plan import without_actions_files
from handlers.draft.plan_format import DRAFT, DraftPlan, PlannedFile, checked_path
from handlers.draft.write import WriteInput, draft_write
from handlers.issue import IssueData

ISSUE = IssueData(number=12, title="t", body="b", author="a", labels=[], comments=[])


@pytest.mark.parametrize(
    "path",
    [
        "./.github/workflows/ci.yml",
        ".github//workflows/ci.yml",
        ".github/./workflows/ci.yml",
        "src/../.github/workflows/ci.yml",
        "/etc/passwd",
        "src/",
        "",
        ".git/config",
        ".GIT/hooks/pre-commit",
        "src\\..\\x.py",
        "src/app.py\n",
    ],
)
def test_a_path_written_another_way_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="not a path inside the repository"):
        checked_path(path)


@pytest.mark.parametrize("path", ["src/app.py", ".github/CODEOWNERS", "docs/a b.md", ".gitignore"])
def test_a_plain_path_is_kept_as_written(path: str) -> None:
    assert checked_path(path) == path


def test_an_edited_plan_with_a_dotted_path_cannot_be_read_back() -> None:
    text = DRAFT.render(plan(["src/app.py"])).replace("`src/app.py`", "`./src/app.py`")
    with pytest.raises(PlanParseError, match="not a path inside the repository"):
        DRAFT.parse(text)


def plan(paths: list[str]) -> dict[str, Any]:
    files = [{"path": p, "action": "create", "why": "needed"} for p in paths]
    return {"approach": "Do it.", "files": files, "risks": []}


def test_the_models_plan_leaves_out_actions_files_and_says_so() -> None:
    proposed = DraftPlan.model_validate(
        plan(["src/app.py", ".github/workflows/ci.yml", ".GitHub/Actions/x/action.yml"])
    )

    kept = without_actions_files(proposed, allowed=False)

    assert [f.path for f in kept.files] == ["src/app.py"]
    assert any("`.github/workflows/ci.yml`" in risk for risk in kept.risks)
    assert without_actions_files(proposed, allowed=True) == proposed


def test_a_plan_of_only_actions_files_fails_saying_which_setting_allows_them() -> None:
    with pytest.raises(StepFailed, match="allow_github_actions"):
        without_actions_files(DraftPlan.model_validate(plan([".github/workflows/a.yml"])), False)


async def test_an_approved_plan_edited_to_add_a_workflow_file_is_not_written() -> None:
    edited = DraftPlan.model_validate(plan(["src/app.py", ".github/workflows/ci.yml"]))
    inp = WriteInput(repo="o/r", config_sha="c", issue=ISSUE, plan=edited)

    with pytest.raises(StepFailed, match=r"\.github/workflows/ci\.yml"):
        await draft_write(inp, cast(StepContext, None))


@pytest.mark.parametrize(
    ("path", "allowed"),
    [(".github/workflows/ci.yml", False), ("./src/app.py", True), (".github//x.yml", True)],
)
async def test_nothing_is_committed_on_a_path_the_draft_may_not_write(
    path: str, allowed: bool
) -> None:
    inp = OpenInput(
        repo="o/r", number=12, run_id="d:draft", default_branch="main", config_sha="c",
        issue=ISSUE, plan=DraftPlan.model_validate(plan(["src/app.py"])),
        changes=[{"path": path, "content": "x"}], allow_github_actions=allowed,  # type: ignore[list-item]
    )  # fmt: skip

    with pytest.raises(StepFailed):
        await draft_open_pr(inp, cast(StepContext, None))


def test_planned_files_are_checked_when_a_plan_is_built() -> None:
    with pytest.raises(ValueError, match="not a path inside"):
        PlannedFile(path=".github/./workflows/ci.yml", action="modify", why="x")
