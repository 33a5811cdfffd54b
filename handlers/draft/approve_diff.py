"""Step `draft.approve_diff`: people approve the exact files the model wrote before they are
committed — when the workflow asks (`approve_diff: true`), and by default whenever a file is
under `.github/`, since the plan approved earlier named paths, not contents."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.engine.context import StepContext
from bot.engine.registry import RetryPolicy, step
from bot.engine.untrusted import fenced
from bot.ports.github import GitHubPort
from handlers.approval.step import (
    ApprovalInput,
    AskingPeople,
    show_cancelled,
    wait_for_decision,
)
from handlers.draft.diff_plan import DIFF_CHARS, content_sha, unified
from handlers.draft.write import FileChange

Decision = Literal["approved", "rejected", "timed_out", "not_needed"]


class DiffApprovalInput(AskingPeople):
    config_sha: str
    changes: list[FileChange]
    approve_diff: bool | None = Field(
        default=None,
        description="Ask people to approve the written files before they are committed: true "
        "always, false never; unset, when a file is under `.github/`.",
    )


class DiffApprovalOutput(BaseModel):
    changes: list[FileChange]  # the approved ones, exactly as written
    diff_approval: Decision
    decision: Decision  # as every approval step records it, for the run page
    decided_by: str = ""
    decided_hash: str = ""
    decided_at: float = 0.0
    reason: str = ""
    stop_run: bool = False
    conclusion: str = "success"
    headline: str = ""


def needs_approval(paths: list[str], approve_diff: bool | None) -> bool:
    """Pure: whether the written files wait for people before they are committed."""
    if approve_diff is not None:
        return approve_diff
    return any(path.lower().startswith(".github/") for path in paths)


async def current_text(github: GitHubPort, repo: str, path: str, ref: str) -> str | None:
    found = await github.get_file(repo, path, ref)
    return None if found is None else found.text


async def shown_diffs(inp: DiffApprovalInput, ctx: StepContext) -> str:
    """The diffs, for people to read beside the plan (cut to fit in one comment)."""
    parts, left = ["**The changes**"], DIFF_CHARS
    for change in inp.changes:
        before = await ctx.checkpoint(
            "approval.before", current_text, ctx.github, inp.repo, change.path, inp.config_sha
        )
        diff = unified(change.path, before, change.content)
        shown = diff[:left] + (
            "\n… (cut here: the run page shows every file whole)" * (len(diff) > left)
        )
        left -= len(shown)
        parts.append(f"`{change.path}`\n\n{fenced(shown, 'diff')}")
        if left <= 0:
            break
    return "\n\n".join(parts)


def diff_plan(changes: list[FileChange]) -> dict[str, Any]:
    return {"files": [{"path": c.path, "sha256": content_sha(c.content)} for c in changes]}


@step(
    "draft.approve_diff",
    input=DiffApprovalInput,
    output=DiffApprovalOutput,
    retry=RetryPolicy(max_attempts=1),
    control=True,
    on_cancel=show_cancelled,
)
async def draft_approve_diff(inp: DiffApprovalInput, ctx: StepContext) -> DiffApprovalOutput:
    """Show the written files as diffs with a hash of their contents, and wait for a decision."""
    if not needs_approval([c.path for c in inp.changes], inp.approve_diff):
        return DiffApprovalOutput(
            changes=inp.changes, diff_approval="not_needed", decision="not_needed"
        )
    asked = ApprovalInput(
        repo=inp.repo, number=inp.number, run_id=inp.run_id, subject="issue",
        plan=diff_plan(inp.changes), plan_format="draft-diff", from_=inp.from_,
        timeout=inp.timeout, forbid_self_approval=inp.forbid_self_approval, sender=inp.sender,
    )  # fmt: skip
    appendix = await shown_diffs(inp, ctx)
    out = await wait_for_decision(asked, ctx, part="diff", title="Changes", appendix=appendix)
    approved = {(f["path"], f["sha256"]) for f in out.plan["files"]}
    kept = [c for c in inp.changes if (c.path, content_sha(c.content)) in approved]
    fields = out.model_dump(include={"decided_by", "decided_hash", "decided_at", "reason"})
    fields |= out.model_dump(include={"stop_run", "conclusion", "headline"})
    return DiffApprovalOutput(
        changes=kept if out.decision == "approved" else [],
        diff_approval=out.decision,
        decision=out.decision,
        **fields,
    )
