"""The database Baton's own tables live in beside DBOS's (SQLite or PostgreSQL), and the last valid
config of each repository."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

log = logging.getLogger("baton.store")
metadata = sa.MetaData()

repo_config = sa.Table(
    "baton_repo_config",
    metadata,
    sa.Column("repo", sa.String(255), primary_key=True),
    sa.Column("sha", sa.String(64), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


# The advisory lock creating tables takes on PostgreSQL: "baton" in ASCII.
TABLES_LOCK = 0x6261746F6E


def sqlalchemy_url(database_url: str) -> str:
    """DATABASE_URL as SQLAlchemy wants it: PostgreSQL through psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def create_private_sqlite_file(database_url: str) -> None:
    """Create a SQLite database's missing file readable by its owner only (0600), as `.env` is.

    DBOS and SQLAlchemy would create it with the umask's mode (often 0644), and it holds every
    run's inputs and outputs. SQLite gives its -wal, -shm and journal files the database file's
    mode. An existing file keeps its mode: the operator may have chosen it (docs/deployment.md
    says how to tighten an older one).
    """
    url = sa.engine.make_url(sqlalchemy_url(database_url))
    path = url.database
    if url.get_backend_name() != "sqlite" or path in (None, "", ":memory:") or "uri" in url.query:
        return
    # It may exist; or its folder may be missing, which SQLite names when it opens the file.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Store:
    def __init__(self, database_url: str) -> None:
        # A process builds its Store (bootstrap's Baton) before DBOS or the inbox open the
        # database, so no one else creates the file first. SQLite reads an empty file as empty.
        create_private_sqlite_file(database_url)
        url = sqlalchemy_url(database_url)
        args = {"timeout": 30} if url.startswith("sqlite") else {}
        self.engine = sa.create_engine(url, connect_args=args, pool_pre_ping=True)

    def create_tables(self) -> None:
        """Create the missing tables of `metadata` (every module's that is imported).

        On PostgreSQL processes take turns, under a lock held to the end of the transaction:
        processes started together would each try to create the same table, and all but one
        would fail on the catalog's unique index.
        """
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": TABLES_LOCK})
            metadata.create_all(conn)
        if self.engine.dialect.name == "sqlite":
            self.write_ahead_log()

    def write_ahead_log(self) -> None:
        """Put the SQLite file (DBOS's tables and ours) in write-ahead-log mode; the file keeps it.

        A commit is then one append to the log and one fsync, where the default rollback
        journal is written, synced and deleted, and readers (queue polls, pages) no longer hold
        up a writer: every checkpoint of a run is a commit (benchmarks/engine.py). `synchronous`
        stays FULL, so a commit still survives a power cut. A file another process holds open
        keeps its mode until the next start.
        """
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        except sa.exc.OperationalError as exc:
            log.warning("SQLite stays in its journal mode (%s)", exc)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def save_valid_config(self, repo: str, sha: str, config: dict[str, Any]) -> None:
        row = {"repo": repo, "sha": sha, "config": json.dumps(config), "updated_at": time.time()}
        with self.engine.begin() as conn:
            updated = conn.execute(
                repo_config.update().where(repo_config.c.repo == repo).values(**row)
            )
            if updated.rowcount == 0:
                conn.execute(repo_config.insert().values(**row))

    def last_valid_config(self, repo: str) -> tuple[str, dict[str, Any]] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(repo_config.c.sha, repo_config.c.config).where(repo_config.c.repo == repo)
            ).first()
        if row is None:
            return None
        return str(row.sha), json.loads(row.config)

    def close(self) -> None:
        self.engine.dispose()


def insert_once(store: Store, table: sa.Table, row: Mapping[str, object]) -> None:
    """Insert unless a row with the same key exists (steps run at least once)."""
    try:
        with store.engine.begin() as conn:
            conn.execute(table.insert().values(**row))
    except sa.exc.IntegrityError:
        pass
