"""Files read from a repository at a commit, kept in Baton's database.

What a commit holds never changes, so while a repository's default branch stays where it is,
its `.github/baton.yml` and prompt overrides are read from GitHub once, not by every
delivery and every chunk of a review (benchmarks/calls.py counts the calls). A file that is
not there is remembered too. Only full commit shas are kept: a branch name moves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bot.ports.github import FileContent, GitHubPort
from bot.store import Store, metadata

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
    now = time.time()
    row = {"repo": repo, "commit_sha": commit, "path": path, "read_at": now}
    row |= {"blob_sha": file.sha, "text": file.text} if file else {"blob_sha": None, "text": None}
    try:
        with store.engine.begin() as conn:
            conn.execute(
                repo_files.delete().where(
                    repo_files.c.repo == repo, repo_files.c.read_at < now - KEEP_SECONDS
                )
            )
            conn.execute(repo_files.insert().values(**row))
    except sa.exc.IntegrityError:  # another run read the same file meanwhile
        pass


async def file_at(
    store: Store | None, github: GitHubPort, repo: str, path: str, ref: str
) -> FileContent | None:
    """`github.get_file`, answered from the database when `ref` is a commit read before."""
    if store is None or not COMMIT.fullmatch(ref):
        return await github.get_file(repo, path, ref)
    found = kept(store, repo, ref, path)
    if found is not None:
        return found.file
    file = await github.get_file(repo, path, ref)
    keep(store, repo, ref, path, file)
    return file
