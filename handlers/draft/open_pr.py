"""Step `draft.open_pr`: one commit on `baton/issue-<n>` and one draft PR, found again on a re-run
instead of being created twice."""

from __future__ import annotations

from pydantic import BaseModel

from bot.engine import markers
from bot.engine.context import StepContext, StepFailed
from bot.engine.registry import step
from handlers.draft.approve_diff import needs_approval
from handlers.draft.plan_format import DraftPlan, checked_path, refuse_actions_paths
from handlers.draft.write import FileChange
from handlers.issue import IssueData


class OpenInput(BaseModel):
    repo: str
    number: int
    run_id: str
    run_url: str = ""
    default_branch: str
    config_sha: str
    issue: IssueData
    plan: DraftPlan
    changes: list[FileChange]
    allow_github_actions: bool = False  # from draft.plan's `with`: see there
    approve_diff: bool | None = None  # from draft.write's `with`: see there
    diff_approval: str = ""  # draft.approve_diff's decision, when the workflow has that step


def unapproved_diff(paths: list[str], approve_diff: bool | None, diff_approval: str) -> str | None:
    """Pure: why these files may not be committed yet, or None. Files under `.github/` (and
    any, when the workflow says `approve_diff: true`) need people to approve their contents."""
    if diff_approval == "approved" or not needs_approval(paths, approve_diff):
        return None
    return (
        "the written files need an approval of their contents before they are committed "
        f"({', '.join(f'`{p}`' for p in paths)}): add `- uses: draft.approve_diff` after "
        "draft.write in the workflow"
    )


class OpenOutput(BaseModel):
    branch: str
    commit_sha: str
    pull_number: int
    pull_url: str
    headline: str


def pull_body(inp: OpenInput) -> str:
    files = "\n".join(f"- `{f.path}` ({f.action}): {f.why}" for f in inp.plan.files)
    run = f"[run `{inp.run_id}`]({inp.run_url})" if inp.run_url else f"run `{inp.run_id}`"
    return (
        f"Closes #{inp.number}\n\n{inp.plan.approach}\n\n**Files**\n{files}\n\n"
        f"Drafted by Baton ({run}) from the plan a maintainer approved on #{inp.number}. "
        f"Review it like any other change.\n{markers.draft(inp.run_id)}"
    )


@step("draft.open_pr", input=OpenInput, output=OpenOutput)
async def draft_open_pr(inp: OpenInput, ctx: StepContext) -> OpenOutput:
    """Commit the changes on the draft branch (git data API) and open or update the draft PR."""
    if not inp.changes:
        raise StepFailed("there is nothing to commit: the approved plan changes no file")
    try:  # checked again where files are written, whatever steps came before
        paths = [checked_path(change.path) for change in inp.changes]
        refuse_actions_paths(paths, inp.allow_github_actions)
    except ValueError as refused:
        raise StepFailed(str(refused)) from None
    why = unapproved_diff(paths, inp.approve_diff, inp.diff_approval)
    if why is not None:
        raise StepFailed(why)
    branch = f"baton/issue-{inp.number}"
    files = {change.path: change.content for change in inp.changes}
    message = f"Draft for #{inp.number}: {inp.issue.title}"
    sha = await ctx.github.commit_files(inp.repo, branch, inp.config_sha, files, message)
    title, body = f"{inp.issue.title} (draft)", pull_body(inp)
    pull = await ctx.github.find_pull_by_head(inp.repo, branch)
    if pull is None or pull.state != "open":
        pull = await ctx.github.create_pull(inp.repo, branch, inp.default_branch, title, body)
    else:
        pull = await ctx.github.update_pull(inp.repo, pull.number, title, body)
    marker = markers.draft_pr(inp.number)
    note = f"{marker}\nBaton opened a draft pull request for this issue: #{pull.number}."
    await ctx.github.upsert_comment(inp.repo, inp.number, marker, note)
    headline = f"Draft PR #{pull.number} on {branch}"
    return OpenOutput(
        branch=branch,
        commit_sha=sha,
        pull_number=pull.number,
        pull_url=pull.html_url,
        headline=headline,
    )
