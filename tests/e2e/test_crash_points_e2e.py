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
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from dbos import DBOSClient

from bot.engine import markers
from tests.baton_process import BatonProcess
from tests.e2e.conftest import INSTALLATION, SECRET, running_world
from tests.e2e.test_breakdown_e2e import PLAN as BREAKDOWN_PLAN
from tests.e2e.test_draft_e2e import APP as DRAFT_APP
from tests.e2e.test_draft_e2e import WRITTEN
from tests.e2e.test_draft_e2e import answer as draft_answer
from tests.e2e.test_review_e2e import APP as REVIEW_APP
from tests.e2e.test_review_e2e import CHANGED, answers, finding
from tests.fakes.github import FakeGitHub, Reply, Seen
from tests.fakes.serve import free_port
from tests.payloads import payload

LANES = 2  # `baton serve` processes taking kill points side by side (this machine has 2 cores)
CASE_TIMEOUT = 60.0  # seconds for one kill point: the run, the kill, the restart, the finish
POLL = 0.1  # seconds between looks at GitHub and at Baton's database
ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "crash-points.txt"
OWNER = "octo"
REPO_IN_PATH = re.compile(r"^/repos/([^/]+/[^/]+)(/.*)?$")
MARKER = re.compile(r"<!-- baton:.*? -->")
When = Literal["before", "after"]


# The kill points ---------------------------------------------------------------------------


def repo_of(path: str) -> str | None:
    found = REPO_IN_PATH.match(path)
    return found.group(1) if found else None


def is_write(seen: Seen) -> bool:
    """A request that changes GitHub; a new installation token changes nothing we look at."""
    if seen.method in ("GET", "HEAD"):
        return False
    return not (
        seen.path.startswith("/app/installations/") and seen.path.endswith("/access_tokens")
    )


def path_pattern(path: str, repo: str) -> str:
    """The path with what differs from run to run (repository, numbers, shas) named instead."""
    path = path.replace(f"/repos/{repo}/", "/repos/{repo}/", 1)
    path = re.sub(r"/[0-9a-f]{40}(?=/|$)", "/{sha}", path)
    return re.sub(r"/\d+(?=/|$)", "/{n}", path)


@dataclass(frozen=True)
class Write:
    method: str
    pattern: str

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}"


@dataclass(frozen=True)
class KillPoint:
    workflow: str
    nth: int  # the run's nth write to its repository, counted from 1
    write: Write
    when: When

    def __str__(self) -> str:
        return f"{self.workflow} #{self.nth} {self.write} ({self.when})"


def writes_to(github: FakeGitHub, repo: str) -> list[Write]:
    """The writes to `repo` GitHub has seen, in the order they arrived."""
    with github.lock:
        seen = sorted(github.requests, key=lambda s: s.at)
    return [Write(s.method, path_pattern(s.path, repo)) for s in seen if is_mine(s, repo)]


def is_mine(seen: Seen, repo: str) -> bool:
    return is_write(seen) and repo_of(seen.path) == repo


def kill_points(workflow: str, recording: list[Write]) -> list[KillPoint]:
    """Every write of a recorded run, each killed before GitHub applies it and after."""
    whens: tuple[When, ...] = ("before", "after")
    return [
        KillPoint(workflow, nth, write, when)
        for nth, write in enumerate(recording, start=1)
        for when in whens
    ]


# Killing Baton at a write ------------------------------------------------------------------


@dataclass
class Armed:
    """One repository's kill point, and the Baton process that serves it."""

    nth: int
    when: When
    baton: BatonProcess
    writes: int = 0
    target: Seen | None = None  # the write to kill after, once GitHub has applied it
    fired: threading.Event = field(default_factory=threading.Event)

    def fire(self) -> None:
        self.baton.kill()  # SIGKILL, from the fake's server thread: the request is in flight
        self.fired.set()


class KillSwitch:
    """Fake-GitHub hooks that kill a repository's Baton at its nth write, before or after."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.armed: dict[str, Armed] = {}

    def arm(self, repo: str, point: KillPoint, baton: BatonProcess) -> Armed:
        with self.lock:
            self.armed[repo] = Armed(point.nth, point.when, baton)
            return self.armed[repo]

    def disarm(self, repo: str) -> None:
        with self.lock:
            self.armed.pop(repo, None)

    def _nth_write(self, seen: Seen) -> Armed | None:
        repo = repo_of(seen.path)
        with self.lock:
            armed = self.armed.get(repo or "")
            if armed is None or armed.fired.is_set() or not is_write(seen):
                return None
            armed.writes += 1
            return armed if armed.writes == armed.nth else None

    def before(self, seen: Seen) -> Reply | None:
        armed = self._nth_write(seen)
        if armed is None:
            return None
        if armed.when == "after":
            armed.target = seen
            return None
        armed.fire()
        return Reply(502, {"message": "Bad Gateway"})  # nobody is left to read it

    def after(self, seen: Seen, reply: Reply) -> Reply | None:
        with self.lock:
            hit = [a for a in self.armed.values() if a.target is seen and not a.fired.is_set()]
        for armed in hit:
            armed.fire()
        return None


# The three workflows, as scenarios ---------------------------------------------------------


def command_event(
    repo: str, number: int, text: str, sender: str, comment: int, on_pull: bool
) -> Any:
    body = payload(
        "issue_comment",
        "created",
        **{
            "repository.full_name": repo,
            "repository.name": repo.split("/")[1],
            "repository.owner.login": OWNER,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "issue.number": number,
            "issue.pull_request.url": f"https://api.github.com/repos/{repo}/pulls/{number}",
            "comment.id": comment,
            "comment.body": text,
            "sender.login": sender,
            "sender.type": "User",
        },
    )
    if not on_pull:
        body["issue"].pop("pull_request", None)
    return body


def seed_review(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"src/app.py": REVIEW_APP})
    github.add_pull(repo, number=5, head_files={"src/app.py": CHANGED}, author="alice")
    github.set_role(repo, "wendy", "write")


def seed_draft(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"src/app.py": DRAFT_APP})
    github.add_issue(repo, number=12, title="Greet politely", body="Say Hello, not hi.")
    github.set_role(repo, "maya", "maintain")


def seed_breakdown(github: FakeGitHub, repo: str) -> None:
    github.add_repo(repo, installation_id=INSTALLATION, files={"README.md": "hi\n"})
    github.add_issue(repo, number=9, title="Search", body="Users want search.")
    github.set_role(repo, "maya", "maintain")


def expect_review(run_id: str) -> set[str]:
    return {
        f"comment {markers.summary('review')}",
        f"review {markers.review(run_id)}",
    }


def expect_draft(run_id: str) -> set[str]:
    return {
        f"comment {markers.approval(run_id)}",
        "comment <!-- baton:draft-pr 12 -->",
        "branch baton/issue-12",
        "pull from baton/issue-12",
        "commit on baton/issue-12",
        *(f"file {path} as planned" for path in WRITTEN),
    }


def expect_breakdown(run_id: str) -> set[str]:
    tasks = [str(task["title"]) for task in BREAKDOWN_PLAN["tasks"]]
    return {
        f"comment {markers.approval(run_id)}",
        f"comment <!-- baton:breakdown {run_id} -->",
        *(f"issue {markers.subtask(run_id, index)}" for index in range(len(tasks))),
        *(f"sub-issue link to {title!r}" for title in tasks),
    }


@dataclass(frozen=True)
class Scenario:
    workflow: str
    number: int
    command: str
    sender: str
    on_pull: bool
    approval: bool
    seed: Callable[[FakeGitHub, str], None]
    expected: Callable[[str], set[str]]  # what GitHub must hold once, besides the common things


SCENARIOS = {
    "review": Scenario("review", 5, "/review", "wendy", True, False, seed_review, expect_review),
    "draft": Scenario("draft", 12, "/draft", "maya", False, True, seed_draft, expect_draft),
    "breakdown": Scenario(
        "breakdown", 9, "/breakdown", "maya", False, True, seed_breakdown, expect_breakdown
    ),
}


def answer(body: dict[str, Any]) -> Any:
    """The scripted model for all three workflows, told apart by the output schema asked for."""
    schema = body.get("response_format", {}).get("json_schema", {}).get("name", "")
    if schema == "BreakdownPlan":
        return BREAKDOWN_PLAN
    if schema in ("DraftPlan", "FileWrite"):
        return draft_answer(body)
    return answers(finding("src/app.py", 3))(body)


# What GitHub holds after a run -------------------------------------------------------------


def census(github: FakeGitHub, repo: str, scenario: Scenario, command: int) -> Counter[str]:
    """How many of each thing Baton made GitHub hold, keyed by what makes it one thing."""
    counts: Counter[str] = Counter()
    bot = github.bot_login
    for run in github.check_runs(repo):
        counts[f"check run {run.name} {run.external_id}"] += 1
    threads = [i.number for i in github.issues(repo)] + [p.number for p in github.pulls(repo)]
    for comment in (c for n in threads for c in github.comments(repo, n) if c.author == bot):
        counts[f"comment {first_marker(comment.body)}"] += 1
    for reaction in github.reactions(repo, command):
        counts[f"reaction {reaction.content} by {reaction.author} on the command"] += 1
    for review in (r for p in github.pulls(repo) for r in github.reviews(repo, p.number)):
        counts[f"review {first_marker(review.body)}"] += 1
    for issue in (i for i in github.issues(repo) if i.author == bot):
        counts[f"issue {first_marker(issue.body)}"] += 1
    for pull in (p for p in github.pulls(repo) if p.author == bot):
        counts[f"pull from {pull.head_ref}"] += 1
    for link in github.issue(repo, scenario.number).sub_issues:
        counts[f"sub-issue link to {github.issue(repo, link).title!r}"] += 1
    counts.update(branch_census(github, repo))
    return counts


def first_marker(body: str) -> str:
    found = MARKER.search(body)
    return found.group(0) if found else "(no marker)"


def branch_census(github: FakeGitHub, repo: str) -> Counter[str]:
    """Baton's branches, the commits each holds over main, and whether their files are right."""
    counts: Counter[str] = Counter()
    branches = github.branches(repo)
    for name, sha in branches.items():
        if not name.startswith("baton/"):
            continue
        counts[f"branch {name}"] += 1
        while sha != branches["main"] and github.commit_at(repo, sha).parents:
            counts[f"commit on {name}"] += 1
            sha = github.commit_at(repo, sha).parents[0]
        for path, text in WRITTEN.items():
            if github.file_at(repo, name, path) == text:
                counts[f"file {path} as planned"] += 1
    return counts


def run_id_of(trigger_delivery: str, workflow: str) -> str:
    return f"{trigger_delivery}:{workflow}"


def judge(
    counts: Counter[str], scenario: Scenario, run_id: str, bot: str
) -> tuple[list[str], list[str]]:
    """(duplicates, shortfalls): what GitHub holds more than once, and what it lacks or should
    not hold at all."""
    expected = scenario.expected(run_id) | {
        f"check run Baton: {scenario.workflow} {run_id}",
        f"reaction eyes by {bot} on the command",
    }
    duplicates = [f"{n}x {key}" for key, n in sorted(counts.items()) if n > 1]
    missing = [f"no {key}" for key in sorted(expected - set(counts))]
    unexpected = [f"unexpected {key}" for key in sorted(set(counts) - expected)]
    return duplicates, missing + unexpected


# One kill point, driven to the end ---------------------------------------------------------


@dataclass
class Row:
    point: KillPoint | None  # None: the recording run, without a kill
    outcome: str
    duplicates: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.outcome == "finished" and not self.duplicates


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
