"""Steps `pr.diff` and `review.checks`: what changed in the PR, and deterministic checks on it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.context import StepContext, StepFailed
from bot.engine.registry import step
from bot.ports.github import PullRequest
from handlers.review.checks import ChecksOptions, run_checks
from handlers.review.diff import pull_request_diff
from handlers.review.models import Finding, Note, PullRequestDiff


class DiffInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo: str
    number: int
    paths_include: list[str] = ["**"]
    paths_exclude: list[str] = []
    max_file_lines: int = Field(
        default=3000, ge=1, description="Skip (and say so) larger file diffs."
    )
    pull: PullRequest | None = Field(
        default=None, description="The pull request as read when the run started."
    )
    subject: str = Field(
        default="pull_request", description="What the run is on: pull_request, issue or none."
    )


class DiffOutput(BaseModel):
    diff: PullRequestDiff


@step("pr.diff", input=DiffInput, output=DiffOutput)
async def pr_diff(inp: DiffInput, ctx: StepContext) -> DiffOutput:
    """Read the PR and its files; select what to review, and say what is skipped and why."""
    if inp.subject == "issue":  # `/review` said on an issue: GitHub would only answer 404
        raise StepFailed(
            f"#{inp.number} is an issue, not a pull request: there are no changes to read."
        )
    pull = inp.pull
    if pull is None or pull.number != inp.number:
        pull = await ctx.github.get_pull(inp.repo, inp.number)
    files = await ctx.github.list_pull_files(inp.repo, inp.number)
    diff = pull_request_diff(pull, files, inp.paths_include, inp.paths_exclude, inp.max_file_lines)
    return DiffOutput(diff=diff)


class ChecksInput(ChecksOptions):
    diff: PullRequestDiff


class ChecksOutput(BaseModel):
    check_findings: list[Finding]
    check_notes: list[Note]


@step("review.checks", input=ChecksInput, output=ChecksOutput)
async def review_checks(inp: ChecksInput, ctx: StepContext) -> ChecksOutput:
    """Deterministic checks: likely secrets, oversized files, code changed without tests."""
    options = ChecksOptions.model_validate(inp.model_dump(exclude={"diff"}))
    report = run_checks(inp.diff, options)
    return ChecksOutput(check_findings=report.findings, check_notes=report.notes)
