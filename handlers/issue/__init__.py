"""Step `issue.read`: the issue a workflow works on, with its conversation, as data."""

from __future__ import annotations

from pydantic import BaseModel

from bot.engine.context import StepContext
from bot.engine.registry import step


class IssueInput(BaseModel):
    repo: str
    number: int


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


@step("issue.read", input=IssueInput, output=IssueOutput)
async def issue_read(inp: IssueInput, ctx: StepContext) -> IssueOutput:
    """Read the issue, its labels and its comments (Baton's own comments left out)."""
    issue = await ctx.github.get_issue(inp.repo, inp.number)
    comments = await ctx.github.list_comments(inp.repo, inp.number)
    said = [
        IssueComment(author=c.author, body=c.body) for c in comments if "<!-- baton:" not in c.body
    ]
    data = IssueData(
        number=issue.number,
        title=issue.title,
        body=issue.body,
        author=issue.author,
        labels=list(issue.labels),
        comments=said,
    )
    return IssueOutput(issue=data)
