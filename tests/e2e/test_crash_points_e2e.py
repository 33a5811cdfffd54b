"""Crash anywhere: `baton serve` is SIGKILLed at every GitHub write of the review, draft and
breakdown workflows, before GitHub applies the write and after it did, then restarted; every run
must finish, and GitHub must hold exactly one of everything Baton made.

The kill points are not listed by hand: each workflow first runs once without a kill, and the
writes GitHub saw during that run (every request but GET and HEAD; minting installation tokens
is not about the repository) are the kill points, so the list follows the workflows as they
change. Each kill point runs the whole workflow on a repository of its own; a few `baton serve`
processes ("lanes") take kill points in turn, to keep the module's time down. The results are
printed as a table when the module ends, and kept in `tests/artifacts/crash-points.txt`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import pytest

from tests.crash.census import Row
from tests.crash.constants import LANES
from tests.crash.kill_points import KillPoint, KillSwitch, Write, kill_points, writes_to
from tests.crash.lanes import CrashWorld, Lane, bring_up, extra_baton, report
from tests.crash.scenarios import SCENARIOS, Scenario, answer
from tests.e2e.conftest import running_world


@pytest.fixture(scope="module")
def crash_world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[CrashWorld]:
    started = time.monotonic()
    # Every step's end updates the check run, whatever the timing: the recorded run and the
    # killed ones must make the same writes, and each such update is a kill point too.
    every_step = {"BATON_CHECK_PROGRESS_SECONDS": "0"}
    with running_world(tmp_path_factory.mktemp("lane"), **every_step) as world:
        world.llm.respond_with(answer)
        switch = KillSwitch()
        world.github.before_hooks.append(switch.before)
        world.github.after_hooks.append(switch.after)
        batons = [world.baton] + [
            extra_baton(world.baton, tmp_path_factory.mktemp("lane")) for _ in range(LANES - 1)
        ]
        starting = [threading.Thread(target=bring_up, args=(b,)) for b in batons[1:]]
        for thread in starting:
            thread.start()
        for thread in starting:
            thread.join()
        crash = CrashWorld(world.github, [Lane(world.github, switch, b) for b in batons])
        try:
            yield crash
        finally:
            for lane in crash.lanes[1:]:
                lane.baton.stop()
            for lane in crash.lanes:
                if lane.client is not None:
                    lane.client.destroy()
    report(crash.rows, time.monotonic() - started, request)


def record(crash: CrashWorld, scenario: Scenario) -> list[Write]:
    """Run the workflow once without a kill; its writes are the kill points."""
    repo = crash.repo(scenario.workflow)
    row = crash.lanes[0].run(scenario, repo, None)
    crash.rows.append(row)
    assert row.ok, f"the run without a kill did not go right: {row.outcome} {row.duplicates}"
    return writes_to(crash.github, repo)


def take_points(
    crash: CrashWorld, lane: Lane, todo: queue.Queue[KillPoint], rows: list[Row]
) -> None:
    while True:
        try:
            point = todo.get_nowait()
        except queue.Empty:
            return
        started = time.monotonic()
        try:
            row = lane.run(SCENARIOS[point.workflow], crash.repo(point.workflow), point)
        except Exception as exc:  # one broken case must not lose the others' results
            row = Row(point, f"error: {exc!r}", [], time.monotonic() - started)
        rows.append(row)


@pytest.mark.parametrize("workflow", list(SCENARIOS))
def test_a_run_killed_at_any_write_finishes_and_github_holds_one_of_everything(
    crash_world: CrashWorld, workflow: str
) -> None:
    points = kill_points(workflow, record(crash_world, SCENARIOS[workflow]))
    todo: queue.Queue[KillPoint] = queue.Queue()
    for point in points:
        todo.put(point)
    rows: list[Row] = []
    lanes = [
        threading.Thread(target=take_points, args=(crash_world, lane, todo, rows))
        for lane in crash_world.lanes
    ]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    rows.sort(key=lambda r: (r.point.nth, r.point.when != "before") if r.point else (0, False))
    crash_world.rows.extend(rows)

    assert len(rows) == len(points) >= 2
    failed = [f"{r.point}: {r.outcome}; duplicates: {r.duplicates or 0}" for r in rows if not r.ok]
    assert not failed, "\n".join(failed)
