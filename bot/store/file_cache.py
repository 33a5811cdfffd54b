"""Files read from a repository at a commit, kept in Baton's database.

What a commit holds never changes, so while a repository's default branch stays where it is,
its `.github/baton.yml` and prompt overrides are read from GitHub once, not by every
delivery and every chunk of a review (benchmarks/calls.py counts the calls). A file that is
not there is remembered too, and so is a directory read whole (a row for `dir/`): a file
missing from it is known absent without asking. Only full commit shas are kept: a branch name
moves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.ports.github import BranchFiles, FileContent, GitHubPort
from bot.store.database import Store, metadata

COMMIT = re.compile(r"[0-9a-f]{40}")
# Rows of a repository older than this are dropped when it gets a new one: its branch moved.
KEEP_SECONDS = 7 * 86_400.0

repo_files = sa.Table(
    "baton_repo_files",
    metadata,
    sa.Column("repo", sa.String(255), primary_key=True),
    sa.Column("commit_sha", sa.String(64), primary_key=True),
    sa.Column("path", sa.String(1024), primary_key=True),
    sa.Column("blob_sha", sa.String(64), nullable=True),  # None: no such file at the commit
    sa.Column("text", sa.Text, nullable=True),
    sa.Column("read_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Kept:
    file: FileContent | None


def kept(store: Store, repo: str, commit: str, path: str) -> Kept | None:
    c = repo_files.c
    query = sa.select(c.blob_sha, c.text).where(
        c.repo == repo, c.commit_sha == commit, c.path == path
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.blob_sha is None:
        return Kept(None)
    return Kept(FileContent(path=path, sha=row.blob_sha, text=row.text or ""))


def keep(store: Store, repo: str, commit: str, path: str, file: FileContent | None) -> None:
    keep_all(store, repo, commit, {path: file})


def _row(repo: str, commit: str, path: str, file: FileContent | None, now: float) -> dict[str, Any]:
    row = {"repo": repo, "commit_sha": commit, "path": path, "read_at": now}
    return row | {"blob_sha": file.sha if file else None, "text": file.text if file else None}


def keep_all(store: Store, repo: str, commit: str, files: Mapping[str, FileContent | None]) -> None:
    """Keep what was read at `commit` (None: no such file), leaving rows already there; a
    commit kept before (each delivery reads its branch again) costs no write."""
    now, c = time.time(), repo_files.c
    there = sa.select(c.path).where(c.repo == repo, c.commit_sha == commit, c.path.in_(list(files)))
    with store.engine.connect() as conn:
        old = set(conn.execute(there).scalars())
    rows = [_row(repo, commit, p, f, now) for p, f in files.items() if p not in old]
    if not rows:
        return
    try:
        with store.engine.begin() as conn:
            conn.execute(repo_files.delete().where(c.repo == repo, c.read_at < now - KEEP_SECONDS))
            conn.execute(repo_files.insert(), rows)
    except sa.exc.IntegrityError:  # another run read the same files meanwhile
        pass


def _listed_row(directory: str) -> str:
    return f"{directory.strip('/')}/"


def listed(store: Store, repo: str, commit: str, path: str) -> bool:
    """Whether the directory holding `path` was read whole at `commit`."""
    directory, slash, _ = path.rpartition("/")
    if not slash:
        return False
    found = kept(store, repo, commit, _listed_row(directory))
    return found is not None and found.file is not None


async def branch_files(
    store: Store | None,
    github: GitHubPort,
    repo: str,
    branch: str,
    paths: Sequence[str],
    directories: Sequence[str] = (),
) -> BranchFiles:
    """`github.get_branch_files`, everything it read kept at the head commit, so a later
    `file_at` there (a step's prompt override) is answered here, found or not."""
    read = await github.get_branch_files(repo, branch, paths, directories)
    if store is None:
        return read
    files: dict[str, FileContent | None] = {path: read.files.get(path) for path in paths}
    for directory in directories:
        marker = _listed_row(directory)
        files[marker] = FileContent(path=marker, sha="", text="")
        files |= {p: f for p, f in read.files.items() if p.rpartition("/")[0] + "/" == marker}
    keep_all(store, repo, read.sha, files)
    return read


async def file_at(
    store: Store | None, github: GitHubPort, repo: str, path: str, ref: str
) -> FileContent | None:
    """`github.get_file`, answered from the database when `ref` is a commit read before."""
    if store is None or not COMMIT.fullmatch(ref):
        return await github.get_file(repo, path, ref)
    found = kept(store, repo, ref, path)
    if found is not None:
        return found.file
    if listed(store, repo, ref, path):
        return None
    file = await github.get_file(repo, path, ref)
    keep(store, repo, ref, path, file)
    return file
