"""Step `issue.read`: the issue a workflow works on, its conversation, and the repo's files."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.engine import markers
from bot.engine.context import StepContext
from bot.engine.registry import step
from bot.engine.untrusted import hidden_comments_shown


class IssueInput(BaseModel):
    repo: str
    number: int
    config_sha: str  # the default branch's commit the run was configured at
    max_tree_paths: int = Field(default=2000, ge=0, description="Paths of the repo listed.")


class IssueComment(BaseModel):
    author: str
    body: str


class IssueData(BaseModel):
    number: int
    title: str
    body: str
    author: str
    labels: list[str]
    comments: list[IssueComment]


class IssueOutput(BaseModel):
    issue: IssueData
    tree: list[str]  # file paths at the default branch, for planning
    tree_truncated: bool = False


@step("issue.read", input=IssueInput, output=IssueOutput)
async def issue_read(inp: IssueInput, ctx: StepContext) -> IssueOutput:
    """Read the issue, its labels and comments (not Baton's own), and the default branch's files."""
    issue = await ctx.github.get_issue(inp.repo, inp.number)
    comments = await ctx.github.list_comments(inp.repo, inp.number)
    said = [
        IssueComment(author=c.author, body=hidden_comments_shown(c.body))
        for c in comments
        if not markers.carries_one(c.body)
    ]
    data = IssueData(
        number=issue.number,
        title=issue.title,
        body=hidden_comments_shown(issue.body),
        author=issue.author,
        labels=list(issue.labels),
        comments=said,
    )
    tree = await ctx.github.list_tree(inp.repo, inp.config_sha)
    kept = tree[: inp.max_tree_paths]
    return IssueOutput(issue=data, tree=kept, tree_truncated=len(kept) < len(tree))
