"""Issue endpoints (pulls are issues too): issues, their comments, reactions to comments."""

from __future__ import annotations

import time

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Fail, Reply, not_found, page, route

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
MAX_BODY = 65536  # characters GitHub accepts in a comment body


def _issue(ctx: Ctx) -> tuple[state.Repo, int]:
    repo = ctx.repo()
    number = int(ctx.params["number"])
    if number not in repo.issues:
        raise not_found()
    return repo, number


def _comment(ctx: Ctx) -> tuple[state.Repo, state.IssueComment]:
    repo = ctx.repo()
    comment = repo.comments.get(int(ctx.params["comment_id"]))
    if comment is None:
        raise not_found()
    return repo, comment


def _checked_body(ctx: Ctx, resource: str = "IssueComment", required: bool = True) -> str:
    body = ctx.body.get("body")
    if not required and body is None:
        return ""
    if not isinstance(body, str) or (required and not body):
        raise Fail(422, "Invalid request.", ["body is required"])
    if len(body) > MAX_BODY:
        raise Fail(
            422,
            "Validation Failed",
            [
                {
                    "resource": resource,
                    "code": "custom",
                    "field": "body",
                    "message": "body is too long (maximum is 65536 characters)",
                }
            ],
        )
    return body


def _listed(issue: state.Issue, query: dict[str, str]) -> bool:
    """Whether the issue passes the listing's `state`, `creator` and `labels` filters."""
    wanted_state = query.get("state", "open")
    creator = query.get("creator")
    labels = [name for name in query.get("labels", "").split(",") if name]
    return (
        wanted_state in ("all", issue.state)
        and (creator is None or creator.lower() == issue.author.lower())
        and all(name in issue.labels for name in labels)
    )


@route("GET", "/repos/{owner}/{repo}/issues")
def list_issues(ctx: Ctx) -> Reply:
    """Pulls are listed too, as on GitHub; newest first unless `direction=asc`."""
    repo = ctx.repo()
    found = [i for i in repo.issues.values() if _listed(i, ctx.seen.query)]
    found.sort(key=lambda i: (i.created_at, i.number))
    if ctx.seen.query.get("direction", "desc") == "desc":
        found.reverse()
    items, headers = page(ctx, [ctx.shapes.issue(repo, i) for i in found])
    return Reply(200, items, headers)


@route("POST", "/repos/{owner}/{repo}/issues")
def create_issue(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    title = ctx.body.get("title")
    if not isinstance(title, str | int) or title == "":
        raise Fail(422, 'Invalid request.\n\n"title" wasn\'t supplied.')
    body = _checked_body(ctx, "Issue", required=False)
    labels = [str(name) for name in ctx.body.get("labels") or []]
    number = max(repo.issues, default=0) + 1
    issue = state.Issue(number, str(title), body, ctx.login, id=ctx.fake.next_id(), labels=labels)
    repo.issues[number] = issue
    return Reply(201, ctx.shapes.issue(repo, issue))


@route("GET", "/repos/{owner}/{repo}/issues/{number:int}")
def get_issue(ctx: Ctx) -> Reply:
    repo, number = _issue(ctx)
    return Reply(200, ctx.shapes.issue(repo, repo.issues[number]))


@route("GET", "/repos/{owner}/{repo}/issues/{number:int}/comments")
def list_comments(ctx: Ctx) -> Reply:
    """Oldest first, as GitHub lists them."""
    repo, number = _issue(ctx)
    found = [ctx.shapes.comment(repo, c) for c in repo.comments.values() if c.number == number]
    items, headers = page(ctx, found)
    return Reply(200, items, headers)


@route("POST", "/repos/{owner}/{repo}/issues/{number:int}/comments")
def create_comment(ctx: Ctx) -> Reply:
    repo, number = _issue(ctx)
    comment = state.IssueComment(ctx.fake.next_id(), number, _checked_body(ctx), ctx.login)
    repo.comments[comment.id] = comment
    return Reply(201, ctx.shapes.comment(repo, comment))


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id:int}")
def get_comment(ctx: Ctx) -> Reply:
    repo, comment = _comment(ctx)
    return Reply(200, ctx.shapes.comment(repo, comment))


@route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id:int}")
def update_comment(ctx: Ctx) -> Reply:
    repo, comment = _comment(ctx)
    comment.body = _checked_body(ctx)
    comment.updated_at = time.time()
    return Reply(200, ctx.shapes.comment(repo, comment))


@route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id:int}/reactions")
def create_reaction(ctx: Ctx) -> Reply:
    """201 for a new reaction; 200 with the old one when this user already reacted so."""
    repo, comment = _comment(ctx)
    content = ctx.body.get("content")
    if content not in REACTIONS:
        raise Fail(
            422,
            "Validation Failed",
            [{"resource": "Reaction", "code": "invalid", "field": "content"}],
        )
    for old in repo.reactions:
        if (old.comment_id, old.content, old.author) == (comment.id, content, ctx.login):
            return Reply(200, ctx.shapes.reaction(old))
    reaction = state.Reaction(ctx.fake.next_id(), comment.id, content, ctx.login)
    repo.reactions.append(reaction)
    return Reply(201, ctx.shapes.reaction(reaction))


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id:int}/reactions")
def list_reactions(ctx: Ctx) -> Reply:
    repo, comment = _comment(ctx)
    found = [ctx.shapes.reaction(r) for r in repo.reactions if r.comment_id == comment.id]
    items, headers = page(ctx, found)
    return Reply(200, items, headers)
