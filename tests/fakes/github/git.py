"""Git objects in the fake: trees named by their content, commits, and branches pulls follow."""

from __future__ import annotations

import hashlib

from tests.fakes.github import state
from tests.fakes.github.diff import diff_trees

Tree = dict[str, str]  # path → text
Entry = tuple[str, str, str, int | None]  # path, type ("blob" | "tree"), sha, size


def tree_sha(tree: Tree) -> str:
    """A tree's id: the same files always give the same id, as in git (not git's own ids)."""
    listing = "".join(f"{path}\0{state.blob_sha(text)}\n" for path, text in sorted(tree.items()))
    return hashlib.sha1(b"tree\0" + listing.encode()).hexdigest()


def store_tree(repo: state.Repo, tree: Tree) -> str:
    sha = tree_sha(tree)
    repo.trees[sha] = dict(tree)
    return sha


def find_tree(repo: state.Repo, sha_or_ref: str) -> Tree | None:
    """A tree by its sha, or the tree of a commit, branch or short sha (GitHub takes all)."""
    if sha_or_ref in repo.trees:
        return repo.trees[sha_or_ref]
    commit = repo.resolve(sha_or_ref)
    return None if commit is None else repo.commits[commit].tree


def subtree(tree: Tree, directory: str) -> Tree:
    prefix = f"{directory}/"
    return {path[len(prefix) :]: text for path, text in tree.items() if path.startswith(prefix)}


def directories(tree: Tree) -> set[str]:
    """Every directory holding a file, at any depth."""
    found: set[str] = set()
    for path in tree:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def entries(repo: state.Repo, tree: Tree, recursive: bool) -> list[Entry]:
    """A tree's entries, sorted by path; each directory's own tree is stored, so it can be
    fetched by its sha as on GitHub."""
    dirs = directories(tree)
    if not recursive:
        dirs = {d for d in dirs if "/" not in d}
    listed: list[Entry] = [(d, "tree", store_tree(repo, subtree(tree, d)), None) for d in dirs]
    for path, text in tree.items():
        if recursive or "/" not in path:
            listed.append((path, "blob", state.blob_sha(text), len(text.encode())))
    return sorted(listed)


def add_commit(repo: state.Repo, tree: Tree, message: str, parents: list[str], nonce: int) -> str:
    """A new commit object (no branch moves); `nonce` keeps two equal commits apart."""
    seed = f"{repo.full_name}\0{nonce}\0{message}\0{sorted(tree.items())}"
    sha = hashlib.sha1(seed.encode()).hexdigest()
    repo.commits[sha] = state.Commit(sha, dict(tree), message, list(parents))
    store_tree(repo, tree)
    return sha


def is_ancestor(repo: state.Repo, old: str, new: str) -> bool:
    """Whether `old` is `new` or one of its ancestors (so moving old → new fast-forwards)."""
    seen, todo = set(), [new]
    while todo:
        sha = todo.pop()
        if sha == old:
            return True
        if sha not in seen and sha in repo.commits:
            seen.add(sha)
            todo.extend(repo.commits[sha].parents)
    return False


def move_branch(repo: state.Repo, branch: str, sha: str) -> None:
    """Point `branch` at `sha`; the open pulls from it follow, as on GitHub."""
    repo.branches[branch] = sha
    for issue in repo.issues.values():
        if isinstance(issue, state.Pull) and issue.state == "open" and issue.head_ref == branch:
            sync_pull(repo, issue, sha)


def sync_pull(repo: state.Repo, pull: state.Pull, head_sha: str) -> None:
    """The pull's head and its file list, computed from the base and head trees."""
    pull.head_sha = head_sha
    pull.files = diff_trees(repo.commits[pull.base_sha].tree, repo.commits[head_sha].tree)
    pull.files_at[head_sha] = pull.files
