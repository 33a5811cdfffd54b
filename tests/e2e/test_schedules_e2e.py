"""Schedules end to end: a config push or an install applies them; a drop or uninstall stops them.

The test schedules a per-second cron (`* * * * * *`: a sixth field, first, is seconds, as DBOS
reads crons), so "runs at its time" takes a second or two of real time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from dbos import DBOSClient

from tests.e2e.conftest import INSTALLATION, REPO, World, running_world
from tests.payloads import payload

pytestmark = pytest.mark.e2e

EVERY_SECOND = """\
version: 1
workflows:
  heartbeat:
    on: ['schedule:"* * * * * *"', /heartbeat]
    steps:
      - uses: issue.read
        with: {number: 1}
"""
ON_DEMAND = EVERY_SECOND.replace("""'schedule:"* * * * * *"', """, "")
CONFIG = ".github/baton.yml"


@pytest.fixture(scope="module")
def schedule_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("schedules")
    with running_world(workdir, BATON_SCHEDULE_POLL_SECONDS="0.5") as world:
        yield world


@pytest.fixture
def dbos(schedule_world: World) -> Iterator[DBOSClient]:
    client = DBOSClient(system_database_url=schedule_world.baton.env["DATABASE_URL"])
    yield client
    client.destroy()


def push(world: World, repo: str, files: dict[str, str | None]) -> str:
    """Commit on the default branch and deliver the push; returns the delivery id."""
    world.github.commit(repo, "main", files, message="Change the config")
    body = payload(
        "push",
        None,
        **{
            "ref": "refs/heads/main",
            "repository.full_name": repo,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "commits": [{"added": [], "removed": [], "modified": sorted(files)}],
        },
    )
    delivery = str(uuid.uuid4())
    assert world.send("push", body, delivery).status_code == 202
    return delivery


def installation(world: World, action: str, repo: str) -> str:
    listed = [{"id": 1, "name": repo.split("/")[1], "full_name": repo, "private": False}]
    body = payload("installation", action, **{"installation.id": INSTALLATION})
    body["repositories"] = listed
    delivery = str(uuid.uuid4())
    assert world.send("installation", body, delivery).status_code == 202
    return delivery


def firings(dbos: DBOSClient, repo: str) -> list[datetime]:
    """When each scheduled run of `repo` was due, read from its run id."""
    owner, name = repo.split("/")
    runs = dbos.list_workflows(workflow_id_prefix=f"schedule:{owner}:{name}:", name="baton.run")
    stamps = [status.workflow_id.split(":")[3] for status in runs if status.status == "SUCCESS"]
    return sorted(datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) for s in stamps)


def finished_at(world: World, dbos: DBOSClient, delivery: str) -> datetime:
    def done() -> Any:
        found = dbos.list_workflows(workflow_ids=[delivery])
        return found[0] if found and found[0].status == "SUCCESS" else None

    status = world.wait_for(done, what=f"delivery {delivery} handled")
    return datetime.fromtimestamp(status.updated_at / 1000, UTC)


def assert_stopped(world: World, dbos: DBOSClient, repo: str, since: datetime) -> None:
    assert dbos.list_schedules(schedule_name_prefix=f"baton:{repo}:") == []
    world.settle(1.5)  # a firing already under way would show within this
    assert [t for t in firings(dbos, repo) if t > since] == []


def test_a_pushed_schedule_runs_at_its_time_and_stops_when_the_config_drops_it(
    schedule_world: World, dbos: DBOSClient
) -> None:
    world = schedule_world
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={CONFIG: ON_DEMAND})
    world.github.add_issue(REPO, number=1, title="Keep the lights on")

    applied = finished_at(world, dbos, push(world, REPO, {CONFIG: EVERY_SECOND}))
    due = world.wait_for(lambda: len(firings(dbos, REPO)) >= 2 and firings(dbos, REPO))

    assert all(t >= applied.replace(microsecond=0) for t in due)
    assert len(set(due)) == len(due)  # each firing started once
    dropped = finished_at(world, dbos, push(world, REPO, {CONFIG: ON_DEMAND}))
    assert_stopped(world, dbos, REPO, dropped)


def test_installing_the_app_applies_schedules_and_uninstalling_removes_them(
    schedule_world: World, dbos: DBOSClient
) -> None:
    world, repo = schedule_world, "octo/nightly"
    world.github.add_repo(repo, installation_id=INSTALLATION, files={CONFIG: EVERY_SECOND})
    world.github.add_issue(repo, number=1, title="Keep the lights on")

    finished_at(world, dbos, installation(world, "created", repo))
    world.wait_for(lambda: firings(dbos, repo), what="a scheduled run after the install")

    removed = finished_at(world, dbos, installation(world, "deleted", repo))
    assert_stopped(world, dbos, repo, removed)
