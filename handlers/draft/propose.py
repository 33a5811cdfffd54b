"""Step `draft.plan`: the model plans a change for an issue — approach, files, risks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.engine.context import StepContext
from bot.engine.registry import RetryPolicy, step
from bot.ports.llm import Message
from handlers.draft.plan import DraftPlan
from handlers.issue import IssueData


class PlanInput(BaseModel):
    repo: str
    issue: IssueData
    tree: list[str]
    max_tokens: int = 4096


class PlanOutput(BaseModel):
    plan: dict[str, Any]
    plan_format: str = "draft"


@step("draft.plan", input=PlanInput, output=PlanOutput, retry=RetryPolicy(max_attempts=1))
async def draft_plan(inp: PlanInput, ctx: StepContext) -> PlanOutput:
    """Ask the model how to solve the issue and which files to change."""
    variables = {"repo": inp.repo, "issue": inp.issue.model_dump(mode="json"), "tree": inp.tree}
    rendered = await ctx.prompts.render(ctx.prompt or "draft-plan", variables)
    ctx.note_prompt(rendered.use)
    messages = [
        Message(role="system", content=rendered.system),
        Message(role="user", content=rendered.user),
    ]
    answer = await ctx.llm.complete(messages, DraftPlan, ctx.run.llm_model, inp.max_tokens)
    ctx.note_llm(answer.model, answer.usage)
    return PlanOutput(plan=answer.output.model_dump(mode="json"))
