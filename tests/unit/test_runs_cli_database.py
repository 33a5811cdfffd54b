"""`baton runs` pointed at a database Baton never used says so, and creates nothing."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from bot.cli import app


def test_a_missing_sqlite_file_is_named_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"

    result = CliRunner().invoke(app, ["runs", "list"], env={"DATABASE_URL": f"sqlite:///{missing}"})

    assert result.exit_code == 2
    assert "no Baton database at" in result.output and "nowhere.sqlite" in result.output
    assert not missing.exists()


def test_a_database_without_baton_tables_asks_for_baton_serve_first(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    sa.create_engine(f"sqlite:///{empty}").connect().close()

    result = CliRunner().invoke(
        app, ["runs", "show", "x:review"], env={"DATABASE_URL": f"sqlite:///{empty}"}
    )

    assert result.exit_code == 2
    assert "no Baton runs yet" in result.output
