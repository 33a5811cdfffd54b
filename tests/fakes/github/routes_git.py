"""Git data endpoints: trees, blobs, commits and branch references."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tests.fakes.github import git, state
from tests.fakes.github.router import Ctx, Fail, Reply, not_found, route

MODES = ("100644", "100755", "040000", "160000", "120000")


def _invalid(message: str) -> Fail:
    return Fail(422, message)


@route("GET", "/repos/{owner}/{repo}/git/trees/{sha:path}")
def get_tree(ctx: Ctx) -> Reply:
    """A tree by sha, or a commit's or branch's; any `recursive` value lists every level."""
    repo = ctx.repo()
    tree = git.find_tree(repo, ctx.params["sha"])
    if tree is None:
        raise not_found()
    listed = git.entries(repo, tree, recursive="recursive" in ctx.seen.query)
    limit = ctx.fake.tree_limit
    reply = ctx.shapes.tree(repo, git.tree_sha(tree), listed[:limit], len(listed) > limit)
    return Reply(200, reply)


@route("POST", "/repos/{owner}/{repo}/git/blobs")
def create_blob(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    content, encoding = ctx.body.get("content"), ctx.body.get("encoding", "utf-8")
    if not isinstance(content, str):
        raise _invalid('Invalid request.\n\n"content" wasn\'t supplied.')
    if encoding == "base64":
        try:
            content = base64.b64decode(content).decode("utf-8", errors="replace")
        except binascii.Error as exc:
            raise _invalid("Invalid request.\n\ncontent is not valid Base64") from exc
    elif encoding != "utf-8":
        raise _invalid(f"encoding must be utf-8 or base64, not {encoding!r}")
    sha = state.blob_sha(content)
    repo.blobs[sha] = content
    return Reply(201, ctx.shapes.blob(repo, sha))


@route("POST", "/repos/{owner}/{repo}/git/trees")
def create_tree(ctx: Ctx) -> Reply:
    """`base_tree` plus the entries; `sha: null` deletes a path (a file or a directory)."""
    repo = ctx.repo()
    base_sha = ctx.body.get("base_tree")
    base = repo.trees.get(base_sha) if base_sha else {}
    if base is None:  # a commit's sha is refused too: base_tree names a tree
        raise _invalid("Invalid tree info: base_tree is not a tree sha of this repository")
    entries = ctx.body.get("tree")
    if not isinstance(entries, list):
        raise _invalid('Invalid request.\n\n"tree" wasn\'t supplied.')
    tree = dict(base)
    for entry in entries:
        _apply(repo, tree, entry if isinstance(entry, dict) else {})
    sha = git.store_tree(repo, tree)
    return Reply(201, ctx.shapes.tree(repo, sha, git.entries(repo, tree, recursive=False)))


def _apply(repo: state.Repo, tree: git.Tree, entry: dict[str, Any]) -> None:
    path, mode = entry.get("path"), entry.get("mode")
    if not path or mode not in MODES or entry.get("type") not in ("blob", "tree", "commit"):
        raise _invalid("Invalid tree info: each entry needs a path, a mode and a type")
    if "content" in entry and entry.get("sha") is not None:
        raise _invalid("Invalid tree info: give either sha or content, not both")
    if "content" in entry:
        tree[path] = str(entry["content"])
    elif entry.get("sha") is None:
        _delete(tree, path)
    elif entry["type"] == "tree" and entry["sha"] in repo.trees:
        _delete(tree, path, missing_ok=True)
        tree.update({f"{path}/{p}": text for p, text in repo.trees[entry["sha"]].items()})
    else:
        tree[path] = _blob(repo, tree, entry["sha"])


def _delete(tree: git.Tree, path: str, *, missing_ok: bool = False) -> None:
    doomed = [p for p in tree if p == path or p.startswith(f"{path}/")]
    if not doomed and not missing_ok:
        raise _invalid(f"GitRPC::BadObjectState: {path} does not exist in the base tree")
    for gone in doomed:
        del tree[gone]


def _blob(repo: state.Repo, tree: git.Tree, sha: str) -> str:
    """A blob made with the blobs API, or one the repository already holds."""
    if sha in repo.blobs:
        return repo.blobs[sha]
    known = (t for c in repo.commits.values() for t in c.tree.values())
    found = next((text for text in known if state.blob_sha(text) == sha), None)
    if found is None:
        raise _invalid(f"Invalid tree info: blob {sha} does not exist")
    return found


@route("GET", "/repos/{owner}/{repo}/git/commits/{sha}")
def get_git_commit(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    commit = repo.commits.get(ctx.params["sha"])
    if commit is None:
        raise not_found()
    return Reply(200, ctx.shapes.git_commit(repo, commit))


@route("POST", "/repos/{owner}/{repo}/git/commits")
def create_git_commit(ctx: Ctx) -> Reply:
    """A commit object only: no branch moves until a reference is created or updated."""
    repo = ctx.repo()
    message, tree, parents = (ctx.body.get(k) for k in ("message", "tree", "parents"))
    if not isinstance(message, str) or not isinstance(tree, str):
        raise _invalid('Invalid request.\n\n"message" and "tree" are required.')
    if tree not in repo.trees:
        raise _invalid("Tree SHA does not exist")
    parents = parents if isinstance(parents, list) else []
    if any(p not in repo.commits for p in parents):
        raise _invalid("Parent SHA does not exist or is not a commit object")
    sha = git.add_commit(repo, repo.trees[tree], message, parents, ctx.fake.next_id())
    return Reply(201, ctx.shapes.git_commit(repo, repo.commits[sha]))


@route("GET", "/repos/{owner}/{repo}/git/ref/heads/{branch:path}")
def get_ref(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    if ctx.params["branch"] not in repo.branches:
        raise not_found()
    return Reply(200, ctx.shapes.ref(repo, ctx.params["branch"]))


@route("POST", "/repos/{owner}/{repo}/git/refs")
def create_ref(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    ref, sha = ctx.body.get("ref"), ctx.body.get("sha")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
        raise _invalid("Reference name must start with 'refs/' and have at least two slashes.")
    if not ref.startswith("refs/heads/"):
        raise _invalid("The fake GitHub keeps branches only (refs/heads/…)")
    if sha not in repo.commits:
        raise _invalid("Object does not exist")
    branch = ref.removeprefix("refs/heads/")
    if branch in repo.branches:
        raise _invalid("Reference already exists")
    git.move_branch(repo, branch, sha)
    return Reply(201, ctx.shapes.ref(repo, branch))


@route("PATCH", "/repos/{owner}/{repo}/git/refs/heads/{branch:path}")
def update_ref(ctx: Ctx) -> Reply:
    """Fast-forward only, unless `force`; open pulls from the branch follow it."""
    repo = ctx.repo()
    branch, sha = ctx.params["branch"], ctx.body.get("sha")
    if branch not in repo.branches:
        raise _invalid("Reference does not exist")
    if sha not in repo.commits:
        raise _invalid("Object does not exist")
    if not ctx.body.get("force") and not git.is_ancestor(repo, repo.branches[branch], sha):
        raise _invalid("Update is not a fast forward")
    git.move_branch(repo, branch, sha)
    return Reply(200, ctx.shapes.ref(repo, branch))
