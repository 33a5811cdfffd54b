"""When a run may take its pull from the delivery, and how many dispatches cancel an older run."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dispatch.supersede import delivered_pull
from bot.engine.context import RunInfo
from bot.ports.github import PullRequest
from bot.store.database import Store
from bot.store.run_book import finish_run, record_run, stop_running

HEAD = "a" * 40
PULL = PullRequest(
    number=4, title="t", author="alice", head_sha=HEAD, head_ref="f", base_ref="main", base_sha="b"
)


def run(run_id: str = "d2:review", **changes: Any) -> RunInfo:
    info = RunInfo(
        run_id=run_id,
        workflow="review",
        delivery_id=run_id.split(":")[0],
        trigger="pull_request.opened",
        repo="o/r",
        installation_id=1,
        default_branch="main",
        config_sha="",
        subject="pull_request",
        number=4,
        head_sha=HEAD,
        pull=PULL,
    )
    return info.model_copy(update=changes)


def test_a_pull_request_run_alone_on_its_pull_takes_the_delivered_pull(store: Store) -> None:
    record_run(store, "d2:review", "o/r", 4, "review", HEAD)  # itself: recorded first

    assert delivered_pull(run(), store) == PULL


def test_a_finished_run_or_another_workflow_or_pull_leaves_nothing_to_supersede(
    store: Store,
) -> None:
    record_run(store, "d1:review", "o/r", 4, "review", HEAD)
    finish_run(store, "d1:review", "success")
    record_run(store, "d1:triage", "o/r", 4, "triage", "c" * 40)
    record_run(store, "d0:review", "o/r", 5, "review", "c" * 40)

    assert delivered_pull(run(), store) == PULL


def test_a_finished_run_for_another_head_makes_it_read_github(store: Store) -> None:
    # The delivery may be a late one for an older head: only GitHub says which is current.
    record_run(store, "d1:review", "o/r", 4, "review", "c" * 40)
    finish_run(store, "d1:review", "success")

    assert delivered_pull(run(), store) is None


def test_an_unfinished_run_of_the_workflow_on_the_pull_makes_it_read_github(store: Store) -> None:
    record_run(store, "d1:review", "o/r", 4, "review", "c" * 40)

    assert delivered_pull(run(), store) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"trigger": "/review", "pull": None},  # issue_comment: the payload has no pull
        {"trigger": "api"},
        {"trigger": "pull_request.synchronize"},  # pushes come in bursts: GitHub settles them
        {"head_sha": "d" * 40},  # the delivered pull is not the run's head
        {"number": 5},
    ],
)
def test_a_run_not_started_by_a_delivery_of_its_pull_reads_github(
    store: Store, changes: dict[str, Any]
) -> None:
    assert delivered_pull(run(**changes), store) is None


def test_only_one_of_several_dispatches_cancels_an_older_run(store: Store) -> None:
    record_run(store, "d1:review", "o/r", 4, "review", "c" * 40)

    said = [stop_running(store, "d1:review", "cancelled") for _ in range(2)]

    assert said == [True, False]
