"""Step `review.llm`: the model reviews the diff chunk by chunk, under a token budget per chunk."""

from __future__ import annotations

from typing import Any

from pathspec import GitIgnoreSpec
from pydantic import BaseModel, ConfigDict, Field

from bot.engine.context import StepContext
from bot.engine.registry import RetryPolicy, step
from bot.engine.untrusted import postable
from handlers.review.chunks import chunk_files
from handlers.review.models import DiffChunk, Finding, PullRequestDiff, ReviewOutput


class ReviewLLMInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo: str
    diff: PullRequestDiff
    instructions: dict[str, str] = Field(
        default={}, description="Extra review instructions by gitignore-style path glob."
    )
    chunk_tokens: int = Field(default=12_000, ge=500, description="Diff tokens per model call.")
    max_tokens: int = Field(default=4096, ge=256, description="Answer tokens per model call.")


class ReviewLLMOutput(BaseModel):
    llm_summary: str
    llm_findings: list[Finding]
    chunks: int
    reviewed_chunks: int = 0
    partial: bool = False  # the token budget ran out before every chunk was reviewed
    cancelled: bool = False  # the run was cancelled (superseded) before every chunk was reviewed


def instructions_for(path: str, instructions: dict[str, str]) -> list[str]:
    return [
        text
        for glob, text in instructions.items()
        if GitIgnoreSpec.from_lines([glob]).match_file(path)
    ]


def prompt_variables(inp: ReviewLLMInput, chunk: DiffChunk, count: int) -> dict[str, Any]:
    diff = inp.diff
    files = [
        {
            "path": f.path,
            "part": f"part {f.part} of {f.part_count}" if f.part_count > 1 else "",
            "patch": f.patch or "",
            "instructions": instructions_for(f.path, inp.instructions),
        }
        for f in chunk.files
    ]
    applying = sorted({text for f in files for text in f["instructions"]})
    return {
        "repo": inp.repo,
        "pr": {
            "number": diff.number,
            "title": diff.title,
            "body": diff.body,
            "author": diff.author,
        },
        "chunk": {"index": chunk.index + 1, "count": count},
        "files": files,
        "instructions": applying,
    }


async def review_chunk(
    inp: ReviewLLMInput, ctx: StepContext, chunk: DiffChunk, count: int
) -> ReviewOutput:
    answer = await ctx.ask_model(
        "review", prompt_variables(inp, chunk, count), ReviewOutput, inp.max_tokens
    )
    return postable(answer, code_fields=frozenset({"suggestion", "path"}))


# One attempt at the engine level: the SDK already retried transient errors, and each engine
# retry would pay for every chunk again.
@step("review.llm", input=ReviewLLMInput, output=ReviewLLMOutput, retry=RetryPolicy(max_attempts=1))
async def review_llm(inp: ReviewLLMInput, ctx: StepContext) -> ReviewLLMOutput:
    """Ask the model to review each chunk of the diff; collect its summary and findings."""
    chunks = chunk_files(list(inp.diff.files), inp.chunk_tokens)
    summaries: list[str] = []
    findings: list[Finding] = []
    cancelled = False
    for chunk in chunks:
        if not ctx.can_spend(chunk.estimated_tokens + inp.max_tokens):
            break
        # A newer push or an operator stopped the run: the rest would be paid for and unread.
        if summaries and (cancelled := ctx.cancelled()):
            break
        output = await review_chunk(inp, ctx, chunk, len(chunks))
        summaries.append(output.summary.strip())
        findings.extend(finding.to_finding() for finding in output.findings)
    return ReviewLLMOutput(
        llm_summary="\n\n".join(summaries),
        llm_findings=findings,
        chunks=len(chunks),
        reviewed_chunks=len(summaries),
        partial=len(summaries) < len(chunks) and not cancelled,
        cancelled=cancelled,
    )
