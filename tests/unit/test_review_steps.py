"""The review steps, run as the engine runs them: found in the registry, given ports and input."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from bot.engine import markers, registry
from bot.engine.context import RunInfo, StepContext
from bot.ports.github import (
    PullFile,
)
from bot.ports.llm import Usage
from bot.prompts.files import PromptLibrary
from bot.settings import DEFAULT_PROMPTS_DIR
from handlers.review.models import LLMFinding
from tests.fakes.memory import HEAD, InMemoryGitHub, InMemoryLLM

T = TypeVar("T", bound=BaseModel)

REPO = "octo/app"


def added_file(path: str, lines: int = 40) -> PullFile:
    """A new file of `lines` lines of about 40 characters (about 10 tokens each)."""
    body = "".join(f"+value_{n:03} = compute_something({n}, path)\n" for n in range(1, lines + 1))
    return PullFile(
        filename=path, status="added", additions=lines, changes=lines,
        patch=f"@@ -0,0 +1,{lines} @@\n{body.rstrip()}",
    )  # fmt: skip


def context(github: InMemoryGitHub, llm: InMemoryLLM, run_id: str = "d-1:review") -> StepContext:
    run = RunInfo(
        run_id=run_id, workflow="review", delivery_id=run_id.split(":")[0],
        trigger="pull_request.opened", repo=REPO, installation_id=42, default_branch="main",
        config_sha="c0ffee0", subject="pull_request", number=7, head_sha=HEAD,
        llm_model="gpt-4.1-mini",
    )  # fmt: skip
    prompts = PromptLibrary(DEFAULT_PROMPTS_DIR)
    return StepContext(run=run, github=github, llm=llm, prompts=prompts)


async def run_step(name: str, ctx: StepContext, **values: Any) -> Any:
    step = registry.get(name)
    return await step.run(step.input.model_validate(values), ctx)


async def pr_diff(ctx: StepContext, **options: Any) -> Any:
    return (await run_step("pr.diff", ctx, repo=REPO, number=7, **options)).diff


async def test_pr_diff_reads_the_pull_request_and_says_which_files_it_skips() -> None:
    github = InMemoryGitHub([added_file("src/app.py"), added_file("poetry.lock")])

    diff = await pr_diff(context(github, InMemoryLLM()), paths_exclude=["*.lock"])

    assert (diff.number, diff.head_sha, diff.author) == (7, HEAD, "mona")
    assert [f.path for f in diff.files] == ["src/app.py"]
    assert [(s.path, s.reason) for s in diff.skipped] == [
        ("poetry.lock", "excluded by paths.exclude `*.lock`")
    ]


async def test_review_llm_asks_once_per_chunk_and_joins_the_summaries() -> None:
    paths = ["src/a.py", "src/b.py", "src/c.py"]
    github, llm = InMemoryGitHub([added_file(p) for p in paths]), InMemoryLLM()
    ctx = context(github, llm)

    out = await run_step("review.llm", ctx, repo=REPO, diff=await pr_diff(ctx), chunk_tokens=500)

    assert len(llm.prompts) == out.chunks == 3
    for index, (path, prompt) in enumerate(zip(paths, llm.prompts, strict=True), start=1):
        shown = re.findall(r"=== BEGIN FILE PATH \(data\) ===\n(.*)\n", prompt)
        assert shown == [path]
        assert f"part {index} of 3 of pull request #7" in prompt
    assert out.llm_summary == "Summary of call 1.\n\nSummary of call 2.\n\nSummary of call 3."
    assert ctx.telemetry.llm_calls == 3
    assert ctx.telemetry.usage == Usage(input_tokens=300, output_tokens=60)
    assert [u.id for u in ctx.telemetry.prompts] == ["review"] * 3


async def test_a_review_cancelled_between_chunks_asks_the_model_no_more() -> None:
    """A newer push supersedes the run while its first chunk is reviewed: the other chunks
    would be paid for and never posted."""
    paths = ["src/a.py", "src/b.py", "src/c.py"]
    github, llm = InMemoryGitHub([added_file(p) for p in paths]), InMemoryLLM()
    ctx = context(github, llm)
    diff = await pr_diff(ctx)
    ctx.cancelled = lambda: len(llm.prompts) >= 1  # superseded once the first call was made

    out = await run_step("review.llm", ctx, repo=REPO, diff=diff, chunk_tokens=500)

    assert len(llm.prompts) == 1
    assert (out.chunks, out.reviewed_chunks, out.cancelled, out.partial) == (3, 1, True, False)


async def test_review_llm_returns_the_models_findings_as_llm_findings() -> None:
    finding = LLMFinding(path="src/b.py", line=3, severity="major", title="Bug", body="Wrong.")
    github, llm = (
        InMemoryGitHub([added_file("src/a.py"), added_file("src/b.py")]),
        InMemoryLLM([finding]),
    )
    ctx = context(github, llm)

    out = await run_step("review.llm", ctx, repo=REPO, diff=await pr_diff(ctx), chunk_tokens=500)

    assert [(f.path, f.line, f.source) for f in out.llm_findings] == [("src/b.py", 3, "llm")]


INSTRUCTIONS = {"src/api/**": "Check auth on every handler.", "*.md": "Keep docs short."}


def file_sections(prompt: str) -> dict[str, str]:
    """Each file's part of a prompt, from its `File i of n.` line to the end of its diff."""
    sections = re.split(r"^File \d+ of \d+\.$", prompt, flags=re.MULTILINE)[1:]
    return {re.findall(r"FILE PATH \(data\) ===\n(.*)\n", s)[0]: s for s in sections}


async def test_path_instructions_reach_only_the_files_their_glob_matches() -> None:
    paths = ["src/api/login.py", "docs/guide.md", "src/util.py"]
    github, llm = InMemoryGitHub([added_file(p, lines=5) for p in paths]), InMemoryLLM()
    ctx = context(github, llm)

    await run_step("review.llm", ctx, repo=REPO, diff=await pr_diff(ctx), instructions=INSTRUCTIONS)

    (prompt,) = llm.prompts
    sections = file_sections(prompt)
    assert set(sections) == set(paths)
    assert "Check auth on every handler." in sections["src/api/login.py"]
    assert "Keep docs short." not in sections["src/api/login.py"]
    assert "Keep docs short." in sections["docs/guide.md"]
    assert "Check auth on every handler." not in sections["docs/guide.md"]
    assert "Check auth" not in sections["src/util.py"]
    assert "Keep docs short." not in sections["src/util.py"]


async def test_a_chunk_without_a_matching_file_carries_no_instructions() -> None:
    paths = ["src/api/login.py", "src/util.py"]
    github, llm = InMemoryGitHub([added_file(p) for p in paths]), InMemoryLLM()
    ctx = context(github, llm)

    await run_step(
        "review.llm", ctx, repo=REPO, diff=await pr_diff(ctx),
        instructions=INSTRUCTIONS, chunk_tokens=500,
    )  # fmt: skip

    login_prompt, util_prompt = llm.prompts
    assert "src/api/login.py" in login_prompt
    assert "Check auth on every handler." in login_prompt
    assert "src/util.py" in util_prompt
    assert "Check auth" not in util_prompt
    assert "Keep docs short." not in login_prompt + util_prompt


def finding(path: str, line: int, title: str, source: str = "llm") -> dict[str, Any]:
    return {
        "path": path, "line": line, "severity": "major", "title": title,
        "body": f"{title}, explained.", "source": source,
    }  # fmt: skip


async def publish(ctx: StepContext, diff: Any, findings: list[dict[str, Any]]) -> Any:
    return await run_step(
        "review.publish", ctx, repo=REPO, number=7, run_id=ctx.run.run_id, workflow="review",
        head_sha=HEAD, diff=diff, llm_summary="Adds a login form.", llm_findings=findings,
        chunks=1,
    )  # fmt: skip


async def test_publish_posts_the_review_with_comments_on_the_diff_and_a_summary() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    ctx = context(github, InMemoryLLM())

    out = await publish(ctx, await pr_diff(ctx), [finding("src/app.py", 3, "Off by one")])

    ((review, comments),) = github.reviews
    assert [(c.path, c.line, c.side) for c in comments] == [("src/app.py", 3, "RIGHT")]
    assert "Off by one" in comments[0].body
    (summary,) = github.comments
    assert summary.body.startswith(markers.summary("review"))
    assert "Adds a login form." in summary.body
    assert (out.review_id, out.inline_comments, out.unplaced_findings) == (review.id, 1, 0)


async def test_a_run_that_knows_its_pull_publishes_without_reading_it_again() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    ctx = context(github, InMemoryLLM())
    ctx.run.pull = await github.get_pull(REPO, 7)  # as dispatch read it
    diff = await pr_diff(ctx)
    reads = github.pull_reads

    out = await publish(ctx, diff, [finding("src/app.py", 3, "Off by one")])

    assert github.pull_reads == reads
    assert out.review_id is not None and len(github.comments) == 1


async def test_a_cancelled_run_publishes_nothing() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    ctx = context(github, InMemoryLLM())
    diff = await pr_diff(ctx)
    ctx.cancelled = lambda: True  # a newer push's dispatch cancelled it meanwhile

    out = await publish(ctx, diff, [finding("src/app.py", 3, "Off by one")])

    assert (github.reviews, github.comments) == ([], [])
    assert out.headline == "Not published: the run was cancelled"


async def test_a_run_without_its_pull_reads_the_head_and_publishes_nothing_when_it_moved() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    ctx = context(github, InMemoryLLM())
    diff = await pr_diff(ctx)
    github.head = "f00ba47" + "0" * 33  # pushed meanwhile

    out = await publish(ctx, diff, [finding("src/app.py", 3, "Off by one")])

    assert (github.reviews, github.comments) == ([], [])
    assert out.headline == "Not published: the pull request moved on to f00ba47"


async def test_publish_posts_no_review_when_no_finding_can_sit_on_the_diff() -> None:
    github = InMemoryGitHub([added_file("src/app.py", lines=5)])
    ctx = context(github, InMemoryLLM())

    out = await publish(ctx, await pr_diff(ctx), [finding("src/app.py", 99, "Far away")])

    assert github.reviews == []
    (summary,) = github.comments
    assert "`src/app.py:99` — Far away" in summary.body
    assert "line 99 (RIGHT) is not in the diff" in summary.body
    assert (out.review_id, out.inline_comments, out.unplaced_findings) == (None, 0, 1)


async def test_publish_with_nothing_found_still_keeps_the_summary_up_to_date() -> None:
    github = InMemoryGitHub([added_file("src/app.py", lines=5)])
    ctx = context(github, InMemoryLLM())

    out = await publish(ctx, await pr_diff(ctx), [])

    assert github.reviews == []
    assert len(github.comments) == 1
    assert out.summary_comment_id == github.comments[0].id
    assert out.review_id is None


async def test_a_review_github_refuses_puts_every_finding_in_the_summary() -> None:
    github = InMemoryGitHub([added_file("src/app.py", lines=5)], reject_reviews=True)
    ctx = context(github, InMemoryLLM())
    findings = [finding("src/app.py", 2, "On the diff"), finding("src/app.py", 99, "Off it")]

    out = await publish(ctx, await pr_diff(ctx), findings)

    assert github.reviews == []
    (summary,) = github.comments
    assert "`src/app.py:2` — On the diff" in summary.body
    assert "`src/app.py:99` — Off it" in summary.body
    assert summary.body.count("GitHub refused the review: Unprocessable Entity") == 2
    assert (out.review_id, out.inline_comments, out.unplaced_findings) == (None, 0, 2)


async def test_publishing_twice_in_one_run_posts_one_review_and_one_summary() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    ctx = context(github, InMemoryLLM())
    diff, findings = await pr_diff(ctx), [finding("src/app.py", 3, "Off by one")]

    first = await publish(ctx, diff, findings)
    again = await publish(ctx, diff, findings)

    assert len(github.reviews) == 1
    assert len(github.comments) == 1
    assert again.review_id == first.review_id
    assert again.summary_comment_id == first.summary_comment_id


async def test_a_new_run_posts_a_new_review_but_edits_the_same_summary() -> None:
    github = InMemoryGitHub([added_file("src/app.py")])
    first_run, next_run = (
        context(github, InMemoryLLM()),
        context(github, InMemoryLLM(), "d-2:review"),
    )
    findings = [finding("src/app.py", 3, "Off by one")]

    await publish(first_run, await pr_diff(first_run), findings)
    await publish(next_run, await pr_diff(next_run), findings)

    assert len(github.reviews) == 2
    (summary,) = github.comments
    assert "d-2:review" in summary.body


@pytest.mark.parametrize("name", ["pr.diff", "review.checks", "review.llm", "review.publish"])
def test_every_review_step_is_registered(name: str) -> None:
    assert registry.get(name).name == name
