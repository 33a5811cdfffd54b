"""Lanes: `baton serve` processes that take kill points in turn, and the table of results."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOSClient

from bot.engine import markers
from tests.baton_process import BatonProcess
from tests.crash.census import Row, census, judge, run_id_of
from tests.crash.constants import ARTIFACT, CASE_TIMEOUT, LANES, OWNER, POLL
from tests.crash.kill_points import Armed, KillPoint, KillSwitch
from tests.crash.scenarios import Scenario, command_event
from tests.e2e.conftest import SECRET
from tests.fakes.github import FakeGitHub
from tests.fakes.serve import free_port


@dataclass
class Delivery:
    event: str
    body: dict[str, Any]
    id: str
    accepted: bool = False


@dataclass
class Drive:
    """How one run went: what to say of it, and what to look for on GitHub afterwards."""

    outcome: str
    command: int  # the id of the comment holding the command, which Baton reacts to
    run_id: str


def bring_up(baton: BatonProcess) -> None:
    """Start the process, on another port if someone took its port meanwhile: `free_port`
    hands out a port any process on the machine may grab once ours is closed, as after a kill."""
    for _ in range(3):
        try:
            baton.start()
            return
        except RuntimeError as exc:
            if "address already in use" not in str(exc):
                raise
            baton.port = free_port()
            baton.url = f"http://127.0.0.1:{baton.port}"
    baton.start()


class Lane:
    """One `baton serve` process and the kill points it takes, one after another."""

    def __init__(self, github: FakeGitHub, switch: KillSwitch, baton: BatonProcess) -> None:
        self.github, self.switch, self.baton = github, switch, baton
        self.client: DBOSClient | None = None

    def run(self, scenario: Scenario, repo: str, point: KillPoint | None) -> Row:
        """Seed `repo`, run the workflow (killing Baton at `point`) to its end, and judge."""
        started = time.monotonic()
        scenario.seed(self.github, repo)
        armed = self.switch.arm(repo, point, self.baton) if point else None
        try:
            drive = self.drive(scenario, repo, armed)
        finally:
            self.switch.disarm(repo)
            if not self.alive():  # a case that went wrong must not leave the lane down
                bring_up(self.baton)
        counts = census(self.github, repo, scenario, drive.command)
        duplicates, shortfalls = judge(counts, scenario, drive.run_id, self.github.bot_login)
        outcome = drive.outcome
        if shortfalls and outcome == "finished":
            outcome = "finished, but " + "; ".join(shortfalls)
        return Row(point, outcome, duplicates, time.monotonic() - started)

    def drive(self, scenario: Scenario, repo: str, armed: Armed | None) -> Drive:
        command, trigger = self.command(repo, scenario, scenario.command)
        run_id = run_id_of(trigger.id, scenario.workflow)
        deliveries = [trigger]
        deadline = time.monotonic() + CASE_TIMEOUT
        while time.monotonic() < deadline:
            if armed is not None and armed.fired.is_set() and not self.alive():
                bring_up(self.baton)
            for delivery in deliveries:
                self.deliver(delivery)
            if scenario.approval and len(deliveries) == 1:
                plan_hash = self.waiting_hash(repo, scenario, run_id)
                if plan_hash:  # approve only what has been shown
                    deliveries.append(self.command(repo, scenario, f"/approve {plan_hash}")[1])
            elif self.alive() and self.finished(deliveries, run_id):
                return Drive(self.outcome(repo, run_id, armed), command, run_id)
            time.sleep(POLL)
        when = "after the kill" if armed is not None and armed.fired.is_set() else "(no kill)"
        return Drive(f"not finished in {CASE_TIMEOUT:.0f}s {when}", command, run_id)

    def outcome(self, repo: str, run_id: str, armed: Armed | None) -> str:
        if armed is not None and not armed.fired.is_set():
            return f"kill point not reached: the run made {armed.writes} writes"
        conclusion = self.conclusion(repo, run_id)
        return "finished" if conclusion == "success" else f"check run concluded {conclusion}"

    def command(self, repo: str, scenario: Scenario, text: str) -> tuple[int, Delivery]:
        """A person comments `text`; GitHub's delivery of it, not sent yet."""
        number, sender = scenario.number, scenario.sender
        comment = self.github.add_comment(repo, number, text, author=sender)
        body = command_event(repo, number, text, sender, comment, scenario.on_pull)
        delivery = f"{repo.split('/')[1]}-{uuid.uuid4().hex[:12]}"
        return comment, Delivery("issue_comment", body, delivery)

    def deliver(self, delivery: Delivery) -> None:
        """Send it as GitHub does: again, with the same id, if the kill swallowed it."""
        if delivery.accepted or not self.alive():
            return
        try:
            response = self.baton.send(delivery.event, delivery.body, SECRET, delivery.id)
        except httpx.HTTPError:
            return
        delivery.accepted = response.is_success

    def waiting_hash(self, repo: str, scenario: Scenario, run_id: str) -> str:
        """The hash the approval comment asks for, once it is posted."""
        marker = markers.approval(run_id)
        for comment in self.github.comments(repo, scenario.number):
            if marker in comment.body:
                found = re.search(r"waiting for approval of `([0-9a-f]{8})`", comment.body)
                return found.group(1) if found else ""
        return ""

    def finished(self, deliveries: list[Delivery], run_id: str) -> bool:
        """Every delivery dispatched and the run done, as Baton's own database says."""
        ids = [d.id for d in deliveries] + [run_id]
        try:
            found = self.dbos().list_workflows(
                workflow_ids=ids, load_input=False, load_output=False
            )
        except Exception:  # the database is busy while Baton starts up: ask again
            return False
        return len(found) == len(ids) and all(w.status == "SUCCESS" for w in found)

    def conclusion(self, repo: str, run_id: str) -> str | None:
        runs = [r for r in self.github.check_runs(repo) if r.external_id == run_id]
        return runs[0].conclusion if runs and runs[0].status == "completed" else None

    def alive(self) -> bool:
        return self.baton.proc is not None and self.baton.proc.poll() is None

    def dbos(self) -> DBOSClient:
        if self.client is None:
            self.client = DBOSClient(system_database_url=self.baton.env["DATABASE_URL"])
        return self.client


# The module's world, lanes and table -------------------------------------------------------


@dataclass
class CrashWorld:
    github: FakeGitHub
    lanes: list[Lane]
    rows: list[Row] = field(default_factory=list)
    repos: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)))

    def repo(self, workflow: str) -> str:
        return f"{OWNER}/{workflow}-{next(self.repos)}"


def extra_baton(first: BatonProcess, workdir: Path) -> BatonProcess:
    env = {**first.env, "DATABASE_URL": f"sqlite:///{workdir / 'baton.sqlite'}"}
    return BatonProcess(env, workdir, workdir / "baton.log")


def table(rows: list[Row], seconds: float) -> str:
    points = [r for r in rows if r.point is not None]
    unfinished = [r for r in points if not r.outcome.startswith("finished")]
    duplicates = sum(len(r.duplicates) for r in points)
    finished = "all runs finished" if not unfinished else f"{len(unfinished)} runs NOT finished"
    lines = [
        f"Crash anywhere: {len(points)} kill points, {finished}, {duplicates} duplicates "
        f"({seconds:.0f}s, {LANES} lanes)",
        f"{'workflow':<10} {'#':>2}  {'write':<52} {'when':<6} {'secs':>4}  "
        f"{'outcome':<8}  duplicates",
    ]
    for row in rows:
        p = row.point
        write = str(p.write) if p else "(recording run, no kill)"
        nth, when = (str(p.nth), p.when) if p else ("", "")
        workflow = p.workflow if p else "—"
        dupes = "; ".join(row.duplicates) or "0"
        lines.append(
            f"{workflow:<10} {nth:>2}  {write:<52} {when:<6} {row.seconds:>4.1f}  "
            f"{row.outcome:<8}  {dupes}"
        )
    return "\n".join(lines)


def report(rows: list[Row], seconds: float, request: pytest.FixtureRequest) -> None:
    text = table(rows, seconds)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(text + "\n", encoding="utf-8")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + text)


# The tests ---------------------------------------------------------------------------------
