"""`baton serve` and two `baton worker` processes on one PostgreSQL database: they share the
work, a worker killed midway is taken over, and every review is posted exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOSClient

from tests.baton_process import BatonProcess, WorkerProcess
from tests.e2e.conftest import INSTALLATION, REPO, SECRET, pr_event
from tests.e2e.test_review_e2e import finding
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.fakes.llm import FakeLLM

PULLS = 100
TAKEOVER_AFTER = "3"  # seconds of silence before a live process resumes a worker's runs
CHECK = "Baton: review"
APP = "\n".join(f"line {n}" for n in range(1, 6)) + "\n"


@dataclass
class Cluster:
    github: FakeGitHub
    llm: FakeLLM
    serve: BatonProcess
    workers: list[WorkerProcess]
    dbos: DBOSClient

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log()}" for p in [self.serve, *self.workers])

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}\n{self.logs()}")
            time.sleep(0.2)


@pytest.fixture
def cluster(tmp_path: Path, postgres_url: str) -> Iterator[Cluster]:
    github = FakeGitHub(app_id=7, public_key_pem=keys.app_public_key())
    llm = FakeLLM()
    with github.serve() as api_url, llm.serve() as llm_url:
        env = {
            "GITHUB_APP_ID": "7",
            "GITHUB_PRIVATE_KEY": keys.app_private_key(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": api_url,
            "DATABASE_URL": postgres_url,
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": llm_url,
            "BATON_LOG_LEVEL": "WARNING",
            "BATON_EXECUTOR_ID": "web",
            "BATON_TAKEOVER_AFTER_SECONDS": TAKEOVER_AFTER,
            "BATON_QUEUE_POLL_SECONDS": "0.1",
            # 200 comments and reviews paced at GitHub's 80 a minute would take 2.5 minutes;
            # pacing is proven in tests/e2e/test_rate_limit_e2e.py.
            "BATON_CONTENT_WRITES_LIMIT": "10000",
        }
        serve = BatonProcess(env, tmp_path, tmp_path / "serve.log")
        workers = [WorkerProcess(env, tmp_path, tmp_path / f"{w}.log", w) for w in ("w1", "w2")]
        everyone = [serve, *workers]
        dbos = DBOSClient(system_database_url=postgres_url)
        try:
            for process in everyone:  # together, as a deploy starts them: all create tables
                process.spawn()
            for process in everyone:
                process.wait_ready(timeout=60)
            yield Cluster(github, llm, serve, workers, dbos)
        finally:
            for process in everyone:
                process.stop()
            dbos.destroy()


def open_pulls(github: FakeGitHub) -> dict[int, str]:
    """PR number → head sha; each PR changes line 2 its own way, so every head differs."""
    github.add_repo(REPO, installation_id=INSTALLATION, files={"src/app.py": APP})
    return {
        n: github.add_pull(
            REPO, number=n, head_files={"src/app.py": APP.replace("line 2", f"x = {n}")}
        )
        for n in range(1, PULLS + 1)
    }


def send_openings(cluster: Cluster, heads: dict[int, str], answers: list[int]) -> None:
    """One signed `pull_request.opened` per PR, four at a time as GitHub sends them."""

    def send(number: int) -> None:
        event = pr_event("opened", number, heads[number])
        answers.append(cluster.serve.send("pull_request", event, SECRET).status_code)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, heads))


def pending_on(cluster: Cluster, executor_id: str) -> list[str]:
    found = cluster.dbos.list_workflows(
        status="PENDING", executor_id=executor_id, load_input=False, load_output=False
    )
    return [w.workflow_id for w in found]


def kill_midway(cluster: Cluster, victim: WorkerProcess, answers: list[int]) -> list[str]:
    """SIGKILL the worker once half the deliveries are in and it is running workflows;
    returns the ids of the workflows it was running when it died. They are listed again after
    the kill: one listed before may have finished in between (a write permit takes ms), and
    the takeover comes only once the victim's heartbeat is stale."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        held = pending_on(cluster, victim.executor_id) if len(answers) >= PULLS // 2 else []
        if held:
            victim.kill()
            left = pending_on(cluster, victim.executor_id)
            if left:
                return left
        time.sleep(0.05)
    raise AssertionError(f"{victim.executor_id} never held work\n{cluster.logs()}")


def completed_checks(cluster: Cluster) -> list[Any]:
    runs = cluster.github.check_runs(REPO)
    return [r for r in runs if r.name == CHECK and r.status == "completed"]


def runs(cluster: Cluster, **only: Any) -> list[Any]:
    return cluster.dbos.list_workflows(load_input=False, load_output=False, **only)


def per_pull(cluster: Cluster, number: int, head: str) -> tuple[int, int, int]:
    """(check runs on the head, summary comments, reviews) of one PR."""
    checks = [r for r in cluster.github.check_runs(REPO, head) if r.name == CHECK]
    summaries = [c for c in cluster.github.comments(REPO, number) if "baton:summary" in c.body]
    return len(checks), len(summaries), len(cluster.github.reviews(REPO, number))


def test_serve_and_two_workers_share_the_work_and_take_over_a_killed_one(
    cluster: Cluster,
) -> None:
    cluster.llm.respond_with(
        lambda request: {"summary": "Changes line 2.", "findings": [finding("src/app.py", 2)]}
    )
    heads = open_pulls(cluster.github)
    victim = cluster.workers[0]
    answers: list[int] = []
    sender = threading.Thread(target=send_openings, args=(cluster, heads, answers))

    sender.start()
    taken = kill_midway(cluster, victim, answers)
    sender.join(timeout=60)

    assert answers == [202] * PULLS
    succeeded = {"status": "SUCCESS", "name": "baton.run"}
    cluster.wait_for(lambda: len(runs(cluster, **succeeded)) == PULLS, f"{PULLS} finished runs")
    time.sleep(1.0)  # a run going twice would have written again by now
    assert {n: per_pull(cluster, n, head) for n, head in heads.items()} == {
        n: (1, 1, 1) for n in heads
    }
    assert len(completed_checks(cluster)) == PULLS
    assert {r.conclusion for r in completed_checks(cluster)} == {"success"}
    assert len({r.executor_id for r in runs(cluster, name="baton.run")}) >= 2, "no sharing"
    resumed = runs(cluster, workflow_ids=taken)
    assert {w.status for w in resumed} == {"SUCCESS"}
    assert victim.executor_id not in {w.executor_id for w in resumed}
    assert "took over executor w1" in cluster.logs()
