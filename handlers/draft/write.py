"""Step `draft.write`: the model writes each planned file against its real current contents; a
result for a path outside the plan, or one that cannot apply, is refused."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.engine.context import StepContext, StepFailed
from bot.engine.registry import RetryPolicy, step
from handlers.draft.plan_format import DraftPlan, PlannedFile, refuse_actions_paths
from handlers.issue import IssueData


class FileWrite(BaseModel):
    """What the model returns for one file."""

    path: str = Field(description="The path being written, exactly as in the plan.")
    content: str = Field(description="The whole new content of the file.")


class FileChange(BaseModel):
    path: str
    content: str | None  # None deletes the file


class WriteInput(BaseModel):
    repo: str
    config_sha: str
    issue: IssueData
    plan: DraftPlan
    max_tokens: int = 8192
    allow_github_actions: bool = False  # from draft.plan's `with`: see there
    approve_diff: bool | None = Field(
        default=None,
        description="Have people approve the written files before they are committed "
        "(draft.approve_diff): true always, false never; unset, when a file is under `.github/`.",
    )


class WriteOutput(BaseModel):
    changes: list[FileChange]
    approve_diff: bool | None = None  # handed on to draft.approve_diff and draft.open_pr


async def current_text(inp: WriteInput, ctx: StepContext, planned: PlannedFile) -> str | None:
    """The file as it is on the default branch; refuses a plan that does not fit the repository."""
    found = await ctx.github.get_file(inp.repo, planned.path, inp.config_sha)
    if planned.action != "create" and found is None:
        raise StepFailed(f"the plan says {planned.action} `{planned.path}`, which does not exist")
    if planned.action == "create" and found is not None:
        raise StepFailed(f"the plan says create `{planned.path}`, which already exists")
    return found.text if found is not None else None


async def write_file(inp: WriteInput, ctx: StepContext, planned: PlannedFile) -> FileChange:
    current = await current_text(inp, ctx, planned)
    if planned.action == "delete":
        return FileChange(path=planned.path, content=None)
    variables = {
        "repo": inp.repo,
        "issue": inp.issue.model_dump(mode="json"),
        "approach": inp.plan.approach,
        "file": planned.model_dump(mode="json"),
        "current": current,
    }
    answer = await ctx.ask_model("draft-write", variables, FileWrite, inp.max_tokens)
    if answer.path != planned.path:
        raise StepFailed(f"the model wrote `{answer.path}`, which is not in the plan")
    if not answer.content.strip():
        raise StepFailed(f"the model wrote `{planned.path}` empty; delete it in the plan instead")
    return FileChange(path=planned.path, content=answer.content)


@step("draft.write", input=WriteInput, output=WriteOutput, retry=RetryPolicy(max_attempts=1))
async def draft_write(inp: WriteInput, ctx: StepContext) -> WriteOutput:
    """Write every file of the approved plan, one model call per file."""
    try:  # the plan as approved: a maintainer may have added a path while editing it
        refuse_actions_paths([f.path for f in inp.plan.files], inp.allow_github_actions)
    except ValueError as refused:
        raise StepFailed(str(refused)) from None
    changes = [await write_file(inp, ctx, f) for f in inp.plan.files]
    return WriteOutput(changes=changes, approve_diff=inp.approve_diff)
