"""Sub-issue endpoints: an issue's sub-issues, and adding one by its issue id."""

from __future__ import annotations

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Fail, Reply, not_found, page, route

MAX_SUB_ISSUES = 100  # per parent


def _parent(ctx: Ctx) -> tuple[state.Repo, state.Issue]:
    repo = ctx.repo()
    parent = repo.issues.get(int(ctx.params["number"]))
    if parent is None:
        raise not_found()
    return repo, parent


def _refused(message: str) -> Fail:
    error = {"resource": "Issue", "code": "custom", "field": "sub_issue_id", "message": message}
    return Fail(422, "Validation Failed", [error])


@route("GET", "/repos/{owner}/{repo}/issues/{number:int}/sub_issues")
def list_sub_issues(ctx: Ctx) -> Reply:
    """In the order they were added."""
    repo, parent = _parent(ctx)
    found = [ctx.shapes.issue(repo, repo.issues[n]) for n in parent.sub_issues]
    items, headers = page(ctx, found)
    return Reply(200, items, headers)


@route("POST", "/repos/{owner}/{repo}/issues/{number:int}/sub_issues")
def add_sub_issue(ctx: Ctx) -> Reply:
    """`sub_issue_id` is the child's id, not its number; the parent comes back (201).

    The fake keeps a repository's issues only; GitHub also takes issues of other
    repositories with the same owner.
    """
    repo, parent = _parent(ctx)
    wanted = ctx.body.get("sub_issue_id")
    child = repo.issue_by_id(wanted) if isinstance(wanted, int) else None
    if child is None or isinstance(child, state.Pull):
        raise _refused(f"sub_issue_id {wanted!r} is not the id of an issue of this repository")
    if child.number == parent.number:
        raise _refused("An issue cannot be its own sub-issue")
    if child.parent == parent.number:
        raise _refused("Duplicate sub-issues are not allowed: it is already a sub-issue")
    if child.parent is not None and not ctx.body.get("replace_parent"):
        raise _refused("Sub-issue may only have one parent")
    if len(parent.sub_issues) >= MAX_SUB_ISSUES:
        raise _refused(f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues")
    if child.parent is not None:
        repo.issues[child.parent].sub_issues.remove(child.number)
    child.parent = parent.number
    parent.sub_issues.append(child.number)
    return Reply(201, ctx.shapes.issue(repo, parent))
