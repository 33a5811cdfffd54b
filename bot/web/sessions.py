"""Sign-in sessions kept in Baton's database, so that signing out ends one in every process.

A session's random id travels in the cookie (with an HMAC keyed by the admin token, checked
before any lookup: bot/web/pages_auth.py); the table keeps only the id's hash, when the session
expires and whether it was revoked, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import sqlalchemy as sa

from bot.store.database import Store, metadata

sessions = sa.Table(
    "baton_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),  # sha256 of the session's id
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.Column("revoked_at", sa.Float, nullable=True),  # when it was signed out of
)


def _hashed(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """The sessions of every process on this database; each call is one short transaction."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store, self._clock = store, clock

    def open(self, session_id: str, seconds: float) -> None:
        """Record a new session for `seconds`; expired ones are dropped meanwhile."""
        now = self._clock()
        with self._store.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at < now))
            row = {"id_hash": _hashed(session_id), "expires_at": now + seconds}
            conn.execute(sessions.insert().values(**row))

    def live(self, session_id: str) -> bool:
        """Whether the session exists, has not expired and was not signed out of."""
        c = sessions.c
        query = sa.select(c.id_hash).where(
            c.id_hash == _hashed(session_id), c.expires_at > self._clock(), c.revoked_at.is_(None)
        )
        with self._store.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def revoke(self, session_id: str) -> None:
        """End the session for every process (signing out); its row goes once it expires."""
        c = sessions.c
        with self._store.engine.begin() as conn:
            conn.execute(
                sessions.update()
                .where(c.id_hash == _hashed(session_id), c.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )
