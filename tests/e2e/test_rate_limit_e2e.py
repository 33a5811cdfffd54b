"""GitHub's limits, kept durably: a rate limit is slept off as a DBOS sleep that outlives a
restart, and content-creating writes are paced per installation by a DBOS queue limiter."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOSClient

from bot.engine.pacing import PERMIT_WORKFLOW
from tests.e2e.conftest import INSTALLATION, REPO, World, pr_event, running_world
from tests.e2e.test_review_e2e import APP, CHANGED, answers, finding, open_pull
from tests.fakes.github import Seen, faults

WAIT = 6  # seconds of `retry-after`
LIMIT, PERIOD = 2, 2.0  # content writes per installation, and per how many seconds
OTHER_REPO, OTHER_INSTALLATION = "octo/elsewhere", 43
SKEW = 0.05  # seconds between the clocks of DBOS's rows and of the fake's requests
APP_FILES = {"src/app.py": APP}


def sent(world: World, method: str, path: str) -> list[Seen]:
    return sorted(world.github.requests_to(method, path), key=lambda r: r.at)


def workflow_steps(world: World, run_id: str) -> list[dict[str, Any]]:
    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:
        return [dict(step) for step in client.list_workflow_steps(run_id)]
    finally:
        client.destroy()


def names_of(steps: list[dict[str, Any]]) -> list[str]:
    return [str(step["function_name"]) for step in steps]


def test_a_rate_limited_review_sleeps_through_a_restart_and_is_posted_once(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world, 5)
    world.github.before_hooks.append(faults.rate_limited("POST", "/pulls/5/reviews", WAIT))

    world.send("pull_request", pr_event("opened", 5, head), delivery="limited-1")
    refused = world.wait_for(
        lambda: [r for r in sent(world, "POST", "/pulls/5/reviews") if r.status == 429],
        what="GitHub's 429 on the review",
    )[0]
    world.wait_for(
        lambda: "DBOS.sleep" in names_of(workflow_steps(world, "limited-1:review")),
        what="the wait checkpointed as a DBOS sleep",
    )
    world.baton.kill()  # mid-sleep: nothing in memory survives
    world.baton.start()
    check = world.finished_check(head)

    reviews = [r for r in sent(world, "POST", "/pulls/5/reviews") if r.status < 300]
    assert check.conclusion == "success"
    assert len(world.github.reviews(REPO, 5)) == 1
    assert [r.at - refused.at >= WAIT for r in reviews] == [True]


@pytest.fixture
def paced(tmp_path: Path) -> Iterator[World]:
    env = {
        "BATON_CONTENT_WRITES_LIMIT": str(LIMIT),
        "BATON_CONTENT_WRITES_PERIOD_SECONDS": str(PERIOD),
    }
    with running_world(tmp_path, **env) as world:
        yield world


def content_writes(world: World, repo: str) -> list[float]:
    """When GitHub received each comment and review of `repo` (what GitHub paces)."""
    writes = sent(world, "POST", f"/repos/{repo}/issues/") + sent(
        world, "POST", f"/repos/{repo}/pulls/"
    )
    return sorted(
        r.at for r in writes if r.path.endswith(("/comments", "/reviews")) and r.status < 300
    )


def permit_starts(world: World, installation: int) -> list[float]:
    """When the writes queue started each permit of the installation (wall clock, seconds)."""
    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:
        permits = client.list_workflows(name=PERMIT_WORKFLOW)
    finally:
        client.destroy()
    return sorted(
        p.dequeued_at / 1000
        for p in permits
        if p.queue_partition_key == str(installation) and p.dequeued_at is not None
    )


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_comments_and_reviews_are_paced_per_installation(paced: World) -> None:
    paced.llm.respond_with(answers(finding("src/app.py", 3)))
    heads = {n: open_pull(paced, n) for n in (11, 12, 13, 14)}
    paced.github.add_repo(OTHER_REPO, installation_id=OTHER_INSTALLATION, files=APP_FILES)
    other_head = paced.github.add_pull(OTHER_REPO, number=1, head_files={"src/app.py": CHANGED})
    elsewhere = {
        "repository.full_name": OTHER_REPO,
        "repository.name": OTHER_REPO.split("/")[1],
        "installation.id": OTHER_INSTALLATION,
    }

    for number, head in heads.items():
        paced.send("pull_request", pr_event("opened", number, head))
    paced.send("pull_request", pr_event("opened", 1, other_head, **elsewhere))
    for head in heads.values():
        assert paced.finished_check(head).conclusion == "success"
    paced.wait_for(lambda: len(content_writes(paced, OTHER_REPO)) == 2, what="the other review")

    clock = time.time() - time.monotonic()  # the fake's arrival times, as wall-clock times
    ours = [at + clock for at in content_writes(paced, REPO)]
    theirs = [at + clock for at in content_writes(paced, OTHER_REPO)]
    permits = permit_starts(paced, INSTALLATION)
    assert len(ours) == 2 * len(heads)  # a review and a summary comment each
    # Each write took its own permit, and went out only once its permit had started ...
    assert len(permits) == len(ours)
    assert all(write >= permit - SKEW for write, permit in zip(ours, permits, strict=True))
    # ... and the queue started no more than LIMIT permits in any PERIOD for the installation,
    assert most_in_any_window(permits, PERIOD - SKEW) <= LIMIT, permits
    # while another installation's writes were not held behind them.
    assert len(theirs) == 2 and theirs[-1] < ours[-1]


def test_a_write_goes_out_when_its_turn_comes_not_at_the_next_poll(tmp_path: Path) -> None:
    # Queued work is looked for every 3 s; the writes queue every 0.1 s. The summary comment
    # follows the review within a second only if its permit, started by the writes queue, lets
    # it go at once rather than at the next look (3 s later).
    env = {"BATON_QUEUE_POLL_SECONDS": "3", "BATON_WRITES_POLL_SECONDS": "0.1"}
    with running_world(tmp_path, **env) as world:
        world.llm.respond_with(answers(finding("src/app.py", 3)))
        head = open_pull(world, 7)
        world.send("pull_request", pr_event("opened", 7, head))
        assert world.finished_check(head).conclusion == "success"
        review, comment = content_writes(world, REPO)

    assert comment - review < 1.0
