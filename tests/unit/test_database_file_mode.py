"""Baton's SQLite database holds every run's inputs and outputs: only its owner may read it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.settings import Settings
from bot.store.database import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The umask most systems start services with, under which files are created 0644."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask_022")
def test_a_new_sqlite_database_and_its_write_ahead_log_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    database = tmp_path / "baton.sqlite"
    store = Store(f"sqlite:///{database}")
    try:
        store.create_tables()
        with store.engine.begin() as conn:  # a write, so the -wal and -shm files exist
            conn.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
        files = sorted(tmp_path.iterdir())
        assert [f.name for f in files] == ["baton.sqlite", "baton.sqlite-shm", "baton.sqlite-wal"]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()


@pytest.mark.usefixtures("umask_022")
def test_the_database_file_is_private_from_the_first_process_start_on(tmp_path: Path) -> None:
    from bot.bootstrap import Baton

    database = tmp_path / "baton.sqlite"
    settings = Settings(_env_file=None, database_url=f"sqlite:///{database}")

    # What `baton serve` builds before DBOS first opens the database (no port is used here).
    baton = Baton(settings, github=lambda _: NotImplemented, llm=lambda _: NotImplemented)
    baton.store.close()

    assert mode(database) == 0o600


@pytest.mark.usefixtures("umask_022")
def test_an_existing_database_keeps_the_mode_its_operator_gave_it(tmp_path: Path) -> None:
    database = tmp_path / "baton.sqlite"
    database.touch()
    database.chmod(0o640)

    Store(f"sqlite:///{database}").close()

    assert mode(database) == 0o640
