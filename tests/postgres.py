"""A throwaway PostgreSQL database on the local server, for tests of several Baton processes."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

# The server CI runs; TEST_POSTGRES_URL points elsewhere (its database is only connected to).
SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SERVER_SHOWN = make_url(SERVER_URL).render_as_string(hide_password=True)


def server_answers(url: str = SERVER_URL, timeout: float = 2.0) -> bool:
    """Whether anything listens at the server's address (not whether we may log in)."""
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout):
            return True
    except OSError:
        return False


def database_url(name: str, server: str = SERVER_URL) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(server: str = SERVER_URL) -> Iterator[str]:
    """Create `baton_test_<random>`, yield its URL, and drop it (with whatever still connects)."""
    name = f"baton_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(name, server)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
