"""Repository endpoints: the repository, branches, file contents, collaborator permissions."""

from __future__ import annotations

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Reply, not_found, route

LARGE_FILE = 1024 * 1024  # bytes; larger files come without content in JSON


@route("GET", "/repos/{owner}/{repo}")
def get_repo(ctx: Ctx) -> Reply:
    return Reply(200, ctx.shapes.full_repo(ctx.repo()))


@route("GET", "/repos/{owner}/{repo}/branches/{branch:path}")
def get_branch(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    if ctx.params["branch"] not in repo.branches:
        raise not_found()
    return Reply(200, ctx.shapes.branch(repo, ctx.params["branch"]))


@route("GET", "/repos/{owner}/{repo}/commits/{ref}")
def get_commit(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    sha = repo.resolve(ctx.params["ref"])
    if sha is None:
        raise not_found()
    return Reply(200, ctx.shapes.commit(repo, repo.commits[sha]))


@route("GET", "/repos/{owner}/{repo}/contents/{path:path}")
def get_contents(ctx: Ctx) -> Reply:
    """A file or a directory listing, at `ref` or the default branch."""
    repo = ctx.repo()
    ref = ctx.seen.query.get("ref") or repo.default_branch
    sha = repo.resolve(ref)
    if sha is None:
        raise not_found()
    tree = repo.commits[sha].tree
    path = ctx.params["path"].strip("/")
    if path in tree:
        return _file(ctx, repo, path, tree[path], ref)
    prefix = f"{path}/" if path else ""
    names = {p[len(prefix) :].split("/", 1)[0] for p in tree if p.startswith(prefix)}
    if not names:
        raise not_found()
    listing = []
    for name in sorted(names):
        full = f"{prefix}{name}"
        entry = ctx.shapes.content(repo, full, tree.get(full, ""), ref)
        del entry["content"], entry["encoding"]
        listing.append({**entry, "type": "file" if full in tree else "dir"})
    return Reply(200, listing)


def _file(ctx: Ctx, repo: state.Repo, path: str, text: str, ref: str) -> Reply:
    if "raw" in ctx.accept:
        return Reply(200, text)
    body = ctx.shapes.content(repo, path, text, ref)
    if body["size"] > LARGE_FILE:
        # GitHub leaves large files out of the JSON; the raw media type returns them.
        body.update(content="", encoding="none")
    return Reply(200, body)


@route("GET", "/repos/{owner}/{repo}/collaborators/{user}/permission")
def get_permission(ctx: Ctx) -> Reply:
    """The user's role; the owner is admin; 404 for anyone who is not a collaborator."""
    repo = ctx.repo()
    user = ctx.params["user"]
    role = "admin" if user == repo.owner else repo.roles.get(user)
    if role is None:
        raise not_found()
    return Reply(200, ctx.shapes.permission(user, role))
