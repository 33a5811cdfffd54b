"""Step `breakdown.propose`: the model splits an issue into sub-tasks, as a plan to approve."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.engine.context import StepContext
from bot.engine.registry import RetryPolicy, step
from bot.engine.untrusted import postable
from handlers.breakdown.plan_format import BreakdownPlan
from handlers.issue import IssueData


class ProposeInput(BaseModel):
    repo: str
    issue: IssueData
    max_tokens: int = 4096


class ProposeOutput(BaseModel):
    plan: dict[str, Any]
    plan_format: str = "breakdown"


@step(
    "breakdown.propose", input=ProposeInput, output=ProposeOutput, retry=RetryPolicy(max_attempts=1)
)
async def breakdown_propose(inp: ProposeInput, ctx: StepContext) -> ProposeOutput:
    """Ask the model for sub-tasks: title, body and acceptance criteria each."""
    variables = {"repo": inp.repo, "issue": inp.issue.model_dump(mode="json")}
    answer = await ctx.ask_model("breakdown", variables, BreakdownPlan, inp.max_tokens)
    return ProposeOutput(plan=postable(answer).model_dump(mode="json"))
