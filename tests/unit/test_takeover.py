"""Heartbeats and takeover, on a real SQLite file: who counts as dead, and who takes over."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bot.engine.takeover import beat_interval, refuse_a_live_duplicate
from bot.settings import Settings, SettingsError
from bot.store.database import Store
from bot.store.executors import Executor, ExecutorIdInUse, Heartbeats, executors
from bot.worker import check_worker_settings

AFTER = 30.0


def joined(store: Store, executor_id: str) -> Heartbeats:
    beats = Heartbeats(store.engine, executor_id)
    beats.join()
    return beats


def fall_silent(store: Store, executor_id: str, seconds: float = AFTER + 1) -> None:
    """As if the executor's last heartbeat were `seconds` ago."""
    with store.engine.begin() as conn:
        row = executors.c.executor_id == executor_id
        conn.execute(
            executors.update().where(row).values(last_seen=executors.c.last_seen - seconds)
        )


def test_an_executor_that_keeps_beating_is_not_silent(store: Store) -> None:
    web, worker = joined(store, "web"), joined(store, "w1")

    assert worker.beat()
    assert web.silent(AFTER) == []


def test_a_silent_executor_is_taken_over_by_exactly_one_live_process(store: Store) -> None:
    web, w2 = joined(store, "web"), joined(store, "w2")
    joined(store, "w1")
    fall_silent(store, "w1")

    [dead] = web.silent(AFTER)

    assert dead.executor_id == "w1"
    assert [web.claim(dead, AFTER), w2.claim(dead, AFTER)] == [True, False]
    assert w2.silent(AFTER) == []  # claimed: nobody else tries while the claim is fresh


def test_a_process_never_counts_itself_as_dead(store: Store) -> None:
    web = joined(store, "web")
    fall_silent(store, "web")

    assert web.silent(AFTER) == []


def test_a_takeover_that_finishes_late_leaves_the_restarted_executor_alone(store: Store) -> None:
    web = joined(store, "web")
    joined(store, "w1")
    fall_silent(store, "w1")
    [dead] = web.silent(AFTER)
    assert web.claim(dead, AFTER)

    restarted = joined(store, "w1")  # w1 came back while its old runs were being handed on
    web.forget(dead)

    assert restarted.beat()


def test_a_process_presumed_dead_learns_it_from_its_next_beat(store: Store) -> None:
    web, worker = joined(store, "web"), joined(store, "w1")
    fall_silent(store, "w1")
    [dead] = web.silent(AFTER)
    web.claim(dead, AFTER)
    web.forget(dead)

    assert not worker.beat()


def test_a_stopped_process_is_taken_over_at_once(store: Store) -> None:
    web, worker = joined(store, "web"), joined(store, "w1")

    worker.leave()

    assert [e.executor_id for e in web.silent(AFTER)] == ["w1"]


def test_a_second_live_process_with_the_same_id_is_refused(store: Store) -> None:
    first = joined(store, "w1")
    second = Heartbeats(store.engine, "w1")

    def first_beats_meanwhile(seconds: float) -> None:
        time.sleep(0.01)  # the database clock moves on
        first.beat()

    with pytest.raises(ExecutorIdInUse, match="w1"):
        refuse_a_live_duplicate(second, AFTER, sleep=first_beats_meanwhile)


def test_a_restart_soon_after_a_crash_takes_the_id_back(store: Store) -> None:
    joined(store, "w1")  # crashed: it will never beat again
    restarted = Heartbeats(store.engine, "w1")
    waited: list[float] = []

    refuse_a_live_duplicate(restarted, AFTER, sleep=waited.append)
    restarted.join()

    assert waited == [beat_interval(AFTER) * 1.5]
    assert restarted.beat()


def test_the_database_clock_is_in_epoch_seconds(store: Store) -> None:
    beats = joined(store, "web")
    me = beats.read("web")

    assert isinstance(me, Executor)
    assert abs(beats.age(me)) < 5
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(beats.now)).scalar_one() > 1.7e9


@pytest.mark.parametrize(
    ("database_url", "executor_id", "problem"),
    [
        ("sqlite:///baton.sqlite", "w1", "PostgreSQL"),
        ("postgresql://db/baton", "baton-local", "executor id of its own"),
    ],
)
def test_a_worker_needs_postgresql_and_an_executor_id_of_its_own(
    database_url: str, executor_id: str, problem: str
) -> None:
    settings = Settings(database_url=database_url, baton_executor_id=executor_id, _env_file=None)

    with pytest.raises(SettingsError, match=problem):
        check_worker_settings(settings)
