"""What Baton keeps of its own writes to GitHub, so a write need not look GitHub over first.

Every write is idempotent because it looks for what an earlier attempt may have made; these
marks say when no look is needed. The comment that carries a marker (a summary) is remembered
once made, so the next run edits it directly; a claim taken before a first attempt at a write
says whether any attempt came before. Both live beside DBOS's tables, in Baton's database.
"""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa

from bot.store.database import Store, metadata

# Kept this long, then dropped when a newer row is added; a claim must outlive any retry of
# the step that took it (a crashed run is resumed when a process starts, minutes later).
KEEP_SECONDS = 30 * 86_400.0

comments = sa.Table(
    "baton_comments",
    metadata,
    sa.Column("repo", sa.String(255), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("marker", sa.String(300), primary_key=True),
    sa.Column("comment_id", sa.BigInteger, nullable=False),
    sa.Column("at", sa.Float, nullable=False, index=True),
)

claims = sa.Table(
    "baton_write_claims",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # sha256 of what is claimed
    sa.Column("at", sa.Float, nullable=False, index=True),
)


class StoredCommentIds:
    """The comment that carries each marker on each issue or pull (the adapter's CommentIds)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def comment_id(self, repo: str, number: int, marker: str) -> int | None:
        c = comments.c
        query = sa.select(c.comment_id).where(
            c.repo == repo, c.number == number, c.marker == marker
        )
        with self._store.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else int(found)

    def remember_comment(self, repo: str, number: int, marker: str, comment_id: int) -> None:
        c = comments.c
        key = (c.repo == repo) & (c.number == number) & (c.marker == marker)
        row = {"comment_id": comment_id, "at": time.time()}
        try:
            with self._store.engine.begin() as conn:
                conn.execute(comments.delete().where(c.at < row["at"] - KEEP_SECONDS))
                if conn.execute(comments.update().where(key).values(**row)).rowcount == 0:
                    conn.execute(
                        comments.insert().values(repo=repo, number=number, marker=marker, **row)
                    )
        except sa.exc.IntegrityError:  # another process remembered it meanwhile
            pass


def first_claim(store: Store, key: str) -> bool:
    """Claim `key` for a write about to be tried: True the first time, False after (an
    earlier attempt may have sent it, so it must be looked for). Committed before it returns,
    so before the write is sent."""
    now = time.time()
    try:
        with store.engine.begin() as conn:
            conn.execute(claims.delete().where(claims.c.at < now - KEEP_SECONDS))
            digest = hashlib.sha256(key.encode()).hexdigest()
            conn.execute(claims.insert().values(key=digest, at=now))
    except sa.exc.IntegrityError:
        return False
    return True
