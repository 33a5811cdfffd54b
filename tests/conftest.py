"""Fixtures every kind of test may ask for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.database import Store
from tests.postgres import SERVER_SHOWN, fresh_database, server_answers


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Baton's own tables (every module's that is imported) in a fresh SQLite file."""
    store = Store(f"sqlite:///{tmp_path / 'baton.sqlite'}")
    store.create_tables()
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own for this test session, dropped at the end.

    Skipped only when no server answers at all; a server that refuses us is a failure.
    """
    if not server_answers():
        pytest.skip(f"no PostgreSQL server answers at {SERVER_SHOWN} (set TEST_POSTGRES_URL)")
    with fresh_database() as url:
        yield url
