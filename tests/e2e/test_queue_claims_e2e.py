"""Work `baton serve` puts on a queue starts at once, not at the queue's next poll.

The queues here are polled once a minute: a delivery, a write permit or a run started by the
API that waited for a poll would not finish within the test's wait.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import INSTALLATION, REPO, pr_event, running_world
from tests.e2e.test_review_e2e import APP, answers, finding, open_pull, summaries

pytestmark = pytest.mark.e2e

RARE_POLLS = {"BATON_QUEUE_POLL_SECONDS": "60", "BATON_WRITES_POLL_SECONDS": "60"}
TOKEN = "claims-admin-token-0123456789"
CONFIG = """\
version: 1
workflows:
  review:
    on: [pull_request.opened]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.llm
        prompt: review
      - uses: review.publish
  triage:
    on: [api]
    steps:
      - uses: issue.read
"""


def test_a_review_and_an_api_run_start_without_waiting_for_a_poll(tmp_path: Path) -> None:
    with running_world(tmp_path, BATON_ADMIN_TOKEN=TOKEN, **RARE_POLLS) as world:
        world.llm.respond_with(answers(finding("src/app.py", 3)))
        files = {"src/app.py": APP, ".github/baton.yml": CONFIG}
        world.github.add_repo(REPO, installation_id=INSTALLATION, files=files)
        head = open_pull(world)

        assert world.send("pull_request", pr_event("opened", 5, head)).status_code == 202

        # Dispatch (the delivery's queue), then the review and the summary (two write permits).
        check = world.finished_check(head)
        assert check.conclusion == "success"
        assert len(world.github.reviews(REPO, 5)) == 1
        assert len(summaries(world, 5)) == 1

        # A run the API starts goes on the runs queue.
        world.github.add_issue(REPO, number=9, title="Flaky", body="Fails on Mondays.")
        auth = {"Authorization": f"Bearer {TOKEN}"}
        body = {"repo": REPO, "workflow": "triage", "subject": {"issue": 9}}
        started = httpx.post(f"{world.baton.url}/api/runs", json=body, headers=auth, timeout=30)
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]

        def finished() -> bool:
            view = httpx.get(f"{world.baton.url}/api/runs/{run_id}", headers=auth, timeout=30)
            return bool(view.json()["finished"])

        world.wait_for(finished, timeout=20, what=f"run {run_id} to finish")
