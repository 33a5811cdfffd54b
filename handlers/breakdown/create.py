"""Step `breakdown.create`: one issue per approved sub-task, linked to the parent as a sub-issue,
exactly once each even across crashes."""

from __future__ import annotations

from pydantic import BaseModel

from bot.engine import markers
from bot.engine.context import StepContext
from bot.engine.registry import step
from bot.ports.github import Issue
from handlers.breakdown.plan_format import BreakdownPlan, SubTask


class CreateInput(BaseModel):
    repo: str
    number: int
    run_id: str
    plan: BreakdownPlan


class CreatedIssue(BaseModel):
    number: int
    title: str
    html_url: str


class CreateOutput(BaseModel):
    created: list[CreatedIssue]
    headline: str


def task_body(task: SubTask, parent: int, marker: str) -> str:
    criteria = "\n".join(f"- [ ] {c}" for c in task.acceptance)
    done = f"\n\n**Done when**\n{criteria}" if criteria else ""
    return f"{task.body}{done}\n\nPart of #{parent}.\n{marker}"


async def ensure_issue(inp: CreateInput, ctx: StepContext, index: int, task: SubTask) -> Issue:
    """Find the issue an earlier attempt made for this task, or open it."""
    marker = markers.subtask(inp.run_id, index)
    found = await ctx.github.find_issues_by_marker(inp.repo, marker)
    if found:
        return found[0]
    body = task_body(task, inp.number, marker)
    return await ctx.github.create_issue(inp.repo, task.title, body)


@step("breakdown.create", input=CreateInput, output=CreateOutput)
async def breakdown_create(inp: CreateInput, ctx: StepContext) -> CreateOutput:
    """Create each approved sub-task once, link it under the parent, and list them there."""
    created: list[Issue] = []
    for index, task in enumerate(inp.plan.tasks):
        issue = await ensure_issue(inp, ctx, index, task)
        await ctx.github.add_sub_issue(inp.repo, inp.number, issue.id)
        created.append(issue)
    listing = "\n".join(f"- #{i.number} {i.title}" for i in created)
    marker = markers.breakdown(inp.run_id)
    summary = f"{marker}\nBaton created {len(created)} sub-issue(s):\n{listing}"
    await ctx.github.upsert_comment(inp.repo, inp.number, marker, summary)
    return CreateOutput(
        created=[
            CreatedIssue(number=i.number, title=i.title, html_url=i.html_url) for i in created
        ],
        headline=f"{len(created)} sub-issue(s) created",
    )
