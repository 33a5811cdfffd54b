"""Step `review.publish`: one review with inline comments on diff lines, one summary comment kept
up to date across pushes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from bot.engine import markers
from bot.engine.context import StepContext
from bot.engine.registry import step
from bot.ports.github import NewComment, NewReview, PullRequest, ReviewComment, ReviewRejected
from bot.prompts.templates import markdown_templates
from handlers.review.models import Finding, Note, PullRequestDiff
from handlers.review.placement import UnplacedFinding, placement

_env = markdown_templates(Path(__file__).resolve().parents[1] / "templates")


class PublishInput(BaseModel):
    repo: str
    number: int
    run_id: str
    workflow: str
    head_sha: str
    diff: PullRequestDiff
    check_findings: list[Finding] = []
    check_notes: list[Note] = []
    llm_summary: str = ""
    llm_findings: list[Finding] = []
    chunks: int = 0
    reviewed_chunks: int = 0
    partial: bool = False


class PublishOutput(BaseModel):
    summary_comment_id: int | None
    summary_url: str
    review_id: int | None
    inline_comments: int
    unplaced_findings: int
    conclusion: Literal["success", "neutral"]
    headline: str


def render(template: str, **values: Any) -> str:
    return _env.get_template(template).render(**values)


async def post_review(
    inp: PublishInput, ctx: StepContext, inline: list[ReviewComment]
) -> tuple[int | None, str]:
    """Post the review once per run: asked again (a retried step), the port returns the review
    already posted, found by its body, which names the run."""
    if not inline:
        return None, ""
    body = review_body(inp, inline)
    found = await ctx.github.create_review(inp.repo, inp.number, inp.head_sha, body, inline)
    return found.id, found.html_url


def review_body(inp: PublishInput, inline: list[ReviewComment]) -> str:
    marker = markers.review(inp.run_id)
    return f"{marker}\nBaton found {len(inline)} thing(s) to look at on {inp.head_sha[:7]}."


def writes_coming(
    inp: PublishInput, pull: PullRequest, inline: list[ReviewComment]
) -> list[NewReview | NewComment]:
    """The content this step will create: the review if anything sits on the diff, and the
    summary if the pull has no comment yet (otherwise it may only be edited)."""
    coming: list[NewReview | NewComment] = []
    if inline:
        body = review_body(inp, inline)
        coming.append(
            NewReview(repo=inp.repo, number=inp.number, commit_sha=inp.head_sha, body=body)
        )
    if pull.comments == 0:
        coming.append(
            NewComment(repo=inp.repo, number=inp.number, marker=markers.summary(inp.workflow))
        )
    return coming


def headline(inline: int, unplaced: int, notes: int) -> str:
    total = inline + unplaced
    if total == 0 and notes == 0:
        return "No problems found"
    return f"{total} finding(s), {notes} note(s)"


def superseded(inp: PublishInput, head: str | None) -> PublishOutput:
    why = f"the pull request moved on to {head[:7]}" if head else "the run was cancelled"
    return PublishOutput(
        summary_comment_id=None,
        summary_url="",
        review_id=None,
        inline_comments=0,
        unplaced_findings=0,
        conclusion="neutral",
        headline=f"Not published: {why}",
    )


@step("review.publish", input=PublishInput, output=PublishOutput)
async def review_publish(inp: PublishInput, ctx: StepContext) -> PublishOutput:
    """Inline comments only on lines present in the diff; everything else goes in the summary."""
    # No review for a head a newer push replaced. That push's dispatch reads the head from
    # GitHub and cancels this run, which is asked here without a request (a push GitHub has
    # not told Baton of yet cannot be known either way). A run started without the pull (by
    # the API, say) reads it now.
    if ctx.cancelled():
        return superseded(inp, None)
    pull = ctx.run.pull
    if pull is None or pull.number != inp.number or pull.head_sha != inp.head_sha:
        pull = await ctx.github.get_pull(inp.repo, inp.number)
        if pull.head_sha != inp.head_sha:
            return superseded(inp, pull.head_sha)
    placed = placement([*inp.check_findings, *inp.llm_findings], inp.diff.files)
    # Both turns to create content at once: one after the other, the second waits a poll more.
    async with ctx.github.writes_coming(*writes_coming(inp, pull, placed.inline)):
        return await publish(inp, ctx, pull, placed.inline, placed.unplaced)


async def publish(
    inp: PublishInput,
    ctx: StepContext,
    pull: PullRequest,
    inline: list[ReviewComment],
    unplaced: list[UnplacedFinding],
) -> PublishOutput:
    """The review, then the summary that links it."""
    findings = [*inp.check_findings, *inp.llm_findings]
    try:
        review_id, review_url = await post_review(inp, ctx, inline)
    except ReviewRejected as rejected:  # GitHub refused a line we judged valid: all to the summary
        review_id, review_url, inline = None, "", []
        unplaced = [
            UnplacedFinding(finding=f, reason=f"GitHub refused the review: {rejected}")
            for f in findings
        ]
    marker = markers.summary(inp.workflow)
    body = render(
        "review_summary.md.j2",
        marker=marker,
        head_sha=inp.head_sha,
        summary=inp.llm_summary,
        inline_count=len(inline),
        review_url=review_url,
        unplaced=unplaced,
        notes=inp.check_notes,
        skipped=inp.diff.skipped,
        run_id=inp.run_id,
        reviewed=len(inp.diff.files),
        chunks=inp.chunks,
        reviewed_chunks=inp.reviewed_chunks,
        partial=inp.partial,
    )
    # A pull without comments has no summary to edit: it is posted without looking for one.
    comment = await ctx.github.upsert_comment(
        inp.repo, inp.number, marker, body, none_before=pull.comments == 0
    )
    return PublishOutput(
        summary_comment_id=comment.id,
        summary_url=comment.html_url,
        review_id=review_id,
        inline_comments=len(inline),
        unplaced_findings=len(unplaced),
        conclusion="success",
        headline=("partial: budget reached · " if inp.partial else "")
        + headline(len(inline), len(unplaced), len(inp.check_notes)),
    )
