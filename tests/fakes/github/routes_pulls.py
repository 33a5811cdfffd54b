"""Pull endpoints: list, open and edit pulls; a pull's files, reviews and their comments."""

from __future__ import annotations

from typing import Any

from tests.fakes.github import git, state
from tests.fakes.github.diff import commentable_lines, hunk_of
from tests.fakes.github.router import Ctx, Fail, Reply, page, route
from tests.fakes.github.shapes_activity import REVIEW_STATE

MAX_FILES = 3000  # GitHub lists at most this many files of a pull
LINE_NOT_IN_DIFF = (
    "Pull request review thread line must be part of the diff and "
    "Pull request review thread diff hunk can't be blank"
)


def _invalid(field: str, code: str = "invalid", message: str | None = None) -> Fail:
    error = {"resource": "PullRequest", "field": field, "code": code}
    return Fail(422, "Validation Failed", [{**error, "message": message} if message else error])


def _listed(repo: state.Repo, pull: state.Pull, query: dict[str, str]) -> bool:
    """`state` (open by default), `base`, and `head` as `owner:branch`: GitHub ignores a
    head filter without the owner."""
    owner, colon, branch = query.get("head", "").partition(":")
    return (
        query.get("state", "open") in ("all", pull.state)
        and query.get("base", pull.base_ref) == pull.base_ref
        and (not colon or (owner.lower() == repo.owner.lower() and branch == pull.head_ref))
    )


def _pulls(repo: state.Repo) -> list[state.Pull]:
    """Newest first."""
    pulls = [i for i in repo.issues.values() if isinstance(i, state.Pull)]
    return sorted(pulls, key=lambda p: -p.number)


@route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    found = [p for p in _pulls(repo) if _listed(repo, p, ctx.seen.query)]
    items, headers = page(ctx, [ctx.shapes.pull(repo, p) for p in found])
    return Reply(200, items, headers)


@route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(ctx: Ctx) -> Reply:
    """From a branch of this repository (`branch` or `owner:branch`); forks are not kept."""
    repo = ctx.repo()
    title, base, draft = ctx.body.get("title"), ctx.body.get("base"), ctx.body.get("draft")
    owner, _, branch = str(ctx.body.get("head") or "").rpartition(":")
    if not isinstance(title, str) or not title:
        raise _invalid("title", "missing_field")
    if owner.lower() not in ("", repo.owner.lower()) or branch not in repo.branches:
        raise _invalid("head")
    if base not in repo.branches:
        raise _invalid("base")
    same = {"head": f"{repo.owner}:{branch}", "base": base}
    if any(_listed(repo, p, same) for p in _pulls(repo)):
        raise _invalid("", "custom", f"A pull request already exists for {repo.owner}:{branch}.")
    if git.is_ancestor(repo, repo.branches[branch], repo.branches[base]):
        raise _invalid("", "custom", f"No commits between {base} and {branch}")
    if draft and not repo.draft_pulls:
        raise Fail(422, "Draft pull requests are not supported in this repository.")
    number = max(repo.issues, default=0) + 1
    body = str(ctx.body.get("body") or "")
    pull = state.Pull(number, title, body, ctx.login, id=ctx.fake.next_id(), draft=bool(draft))
    pull.head_ref, pull.base_ref, pull.base_sha = branch, base, repo.branches[base]
    repo.issues[number] = pull
    git.sync_pull(repo, pull, repo.branches[branch])
    return Reply(201, ctx.shapes.pull(repo, pull))


@route("GET", "/repos/{owner}/{repo}/pulls/{number:int}")
def get_pull(ctx: Ctx) -> Reply:
    repo, pull = ctx.pull()
    return Reply(200, ctx.shapes.pull(repo, pull))


@route("PATCH", "/repos/{owner}/{repo}/pulls/{number:int}")
def update_pull(ctx: Ctx) -> Reply:
    repo, pull = ctx.pull()
    if ctx.body.get("state", pull.state) not in ("open", "closed"):
        raise _invalid("state")
    pull.title = str(ctx.body.get("title", pull.title))
    pull.body = str(ctx.body.get("body") or "") if "body" in ctx.body else pull.body
    pull.state = ctx.body.get("state", pull.state)
    return Reply(200, ctx.shapes.pull(repo, pull))


@route("GET", "/repos/{owner}/{repo}/pulls/{number:int}/files")
def list_pull_files(ctx: Ctx) -> Reply:
    repo, pull = ctx.pull()
    files = [ctx.shapes.pull_file(repo, pull.head_sha, f) for f in pull.files[:MAX_FILES]]
    items, headers = page(ctx, files)
    return Reply(200, items, headers)


@route("GET", "/repos/{owner}/{repo}/pulls/{number:int}/reviews")
def list_reviews(ctx: Ctx) -> Reply:
    repo, pull = ctx.pull()
    reviews = [r for r in repo.reviews.values() if r.number == pull.number]
    items, headers = page(ctx, [ctx.shapes.review(repo, r) for r in reviews])
    return Reply(200, items, headers)


@route("GET", "/repos/{owner}/{repo}/pulls/{number:int}/comments")
def list_review_comments(ctx: Ctx) -> Reply:
    repo, pull = ctx.pull()
    comments = [
        ctx.shapes.review_comment(repo, pull.number, c)
        for r in repo.reviews.values()
        if r.number == pull.number
        for c in r.comments
    ]
    items, headers = page(ctx, comments)
    return Reply(200, items, headers)


@route("POST", "/repos/{owner}/{repo}/pulls/{number:int}/reviews")
def create_review(ctx: Ctx) -> Reply:
    """All or nothing, as on GitHub: one comment off the diff and no review is made."""
    repo, pull = ctx.pull()
    commit_id = ctx.body.get("commit_id") or pull.head_sha
    if commit_id not in repo.commits:
        raise Fail(422, "Unprocessable Entity", [f"No commit found for SHA: {commit_id}"])
    files = {f["filename"]: f for f in pull.files_at.get(commit_id, pull.files)}
    event = ctx.body.get("event")
    comments = ctx.body.get("comments") or []
    if event in ("COMMENT", "REQUEST_CHANGES") and not ctx.body.get("body") and not comments:
        raise Fail(422, "Unprocessable Entity", ["Body is required for this event"])
    review = state.Review(
        id=ctx.fake.next_id(),
        number=pull.number,
        body=ctx.body.get("body") or "",
        state=REVIEW_STATE.get(event or "", "PENDING"),
        event=event,
        commit_id=commit_id,
        author=ctx.login,
    )
    for wanted in comments:
        review.comments.append(_review_comment(ctx, review, files, wanted))
    repo.reviews[review.id] = review
    return Reply(200, ctx.shapes.review(repo, review))


def _review_comment(
    ctx: Ctx, review: state.Review, files: dict[str, dict[str, Any]], wanted: dict[str, Any]
) -> state.ReviewComment:
    entry = files.get(wanted.get("path", ""))
    if entry is None:
        raise Fail(422, "Unprocessable Entity", ["Path could not be resolved"])
    side, line = wanted.get("side") or "RIGHT", wanted.get("line")
    lines = commentable_lines(entry.get("patch"))
    start = wanted.get("start_line")
    start_side = wanted.get("start_side") or side
    if line not in lines.get(side, set()) or (start and start not in lines.get(start_side, ())):
        raise Fail(422, "Unprocessable Entity", [LINE_NOT_IN_DIFF])
    return state.ReviewComment(
        id=ctx.fake.next_id(),
        review_id=review.id,
        path=entry["filename"],
        line=line,
        side=side,
        body=wanted.get("body", ""),
        commit_id=review.commit_id,
        diff_hunk=hunk_of(entry.get("patch"), side, line),
        author=review.author,
        start_line=start,
    )
