"""The process's SQLite transactions take turns, the inbox's (urgent) first."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store import sqlite_gate
from bot.store.sqlite_gate import GATE


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    sqlite_gate.install()
    built = sa.create_engine(f"sqlite:///{tmp_path / 'gate.sqlite'}", connect_args={"timeout": 30})
    with built.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE log (who TEXT)")
    return built


def write(engine: sa.Engine, who: str, urgent: bool = False) -> None:
    if urgent:
        with GATE.urgent(), engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO log VALUES (?)", (who,))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO log VALUES (?)", (who,))


def order(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT who FROM log ORDER BY rowid")]


def started(target: object, *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_an_urgent_transaction_goes_before_those_that_waited_longer(engine: sa.Engine) -> None:
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO log VALUES ('holder')")
            holding.set()
            release.wait(10)

    holder = started(hold)
    assert holding.wait(10)
    plain = [started(write, engine, f"plain-{n}") for n in range(3)]
    time.sleep(0.2)  # the plain writers are waiting at the gate
    urgent = started(write, engine, "urgent", True)
    time.sleep(0.2)
    release.set()
    for thread in [holder, *plain, urgent]:
        thread.join(10)

    written = order(engine)
    assert written[:2] == ["holder", "urgent"]
    assert sorted(written[2:]) == ["plain-0", "plain-1", "plain-2"]


def test_a_transaction_never_seen_to_end_holds_the_others_only_for_a_while(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_gate, "STALE_SECONDS", 0.3)
    GATE.enter()  # as if a transaction began on another thread and its end was lost
    try:
        writer = started(write, engine, "after")
        writer.join(10)
        assert not writer.is_alive()
        assert order(engine) == ["after"]
    finally:
        GATE.leave()


def test_a_thread_may_open_a_second_connection_inside_its_transaction(engine: sa.Engine) -> None:
    done = threading.Event()

    def nested() -> None:
        with engine.begin() as outer:
            outer.exec_driver_sql("INSERT INTO log VALUES ('outer')")
            with engine.connect() as inner:  # reads see the last commit; no deadlock
                inner.exec_driver_sql("SELECT count(*) FROM log").scalar()
        done.set()

    thread = started(nested)
    thread.join(10)
    assert done.is_set()
    write(engine, "next")  # the gate was handed back
    assert order(engine) == ["outer", "next"]
