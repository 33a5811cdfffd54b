"""Step `draft.plan`: the model plans a change for an issue — approach, files, risks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.engine.context import StepContext, StepFailed
from bot.engine.registry import RetryPolicy, step
from bot.engine.untrusted import postable
from handlers.draft.plan_format import DraftPlan, actions_paths
from handlers.issue import IssueData


class PlanInput(BaseModel):
    repo: str
    issue: IssueData
    tree: list[str]
    max_tokens: int = 4096
    allow_github_actions: bool = Field(
        default=False,
        description="Let the draft change `.github/workflows/` and `.github/actions/` (what "
        "GitHub Actions runs, with the repository's secrets); off, such files are left out.",
    )


class PlanOutput(BaseModel):
    plan: dict[str, Any]
    plan_format: str = "draft"
    allow_github_actions: bool = False  # handed on: draft.write and draft.open_pr check again


def without_actions_files(plan: DraftPlan, allowed: bool) -> DraftPlan:
    """The plan minus files GitHub Actions runs (unless allowed), each named among its risks."""
    left_out = set(actions_paths([f.path for f in plan.files])) if not allowed else set()
    if not left_out:
        return plan
    kept = [f for f in plan.files if f.path not in left_out]
    if not kept:
        raise StepFailed(
            "the model planned only files that GitHub Actions runs; Baton drafts those only "
            "with `allow_github_actions: true` in the draft.plan step's `with`"
        )
    notes = [
        f"Left out `{path}`: GitHub Actions runs it (see `allow_github_actions`)."
        for path in sorted(left_out)
    ]
    return plan.model_copy(update={"files": kept, "risks": [*plan.risks, *notes]})


@step("draft.plan", input=PlanInput, output=PlanOutput, retry=RetryPolicy(max_attempts=1))
async def draft_plan(inp: PlanInput, ctx: StepContext) -> PlanOutput:
    """Ask the model how to solve the issue and which files to change."""
    variables = {"repo": inp.repo, "issue": inp.issue.model_dump(mode="json"), "tree": inp.tree}
    answer = await ctx.ask_model("draft-plan", variables, DraftPlan, inp.max_tokens)
    planned = postable(answer, code_fields=frozenset({"path"}))
    plan = without_actions_files(planned, inp.allow_github_actions)
    return PlanOutput(
        plan=plan.model_dump(mode="json"), allow_github_actions=inp.allow_github_actions
    )
