"""A burst of signed deliveries: every one stored and dispatched exactly once, and no 5xx."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from dbos import DBOSClient

from tests.e2e.conftest import INSTALLATION, REPO, SECRET, World
from tests.loadgen import send_all
from tests.payloads import payload

# CI sends a smaller burst; benchmarks/burst.py sends 10,000 and records the figures.
BURST = int(os.environ.get("BATON_LOAD_BURST", "600"))


def chatter(number: int, delivery: str) -> tuple[str, str, dict[str, Any]]:
    """A comment that is not a command: stored, dispatched, and matched to no workflow."""
    body = payload(
        "issue_comment",
        "created",
        **{
            "repository.full_name": REPO,
            "repository.default_branch": "main",
            "installation.id": INSTALLATION,
            "issue.number": number,
            "comment.body": "Thanks, looks good to me!",
            "sender.login": "alice",
            "sender.type": "User",
        },
    )
    return "issue_comment", delivery, body


def dispatched(world: World) -> list[Any]:
    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:
        return client.list_workflows(name="baton.dispatch", load_input=False, load_output=False)
    finally:
        client.destroy()


def test_a_burst_of_deliveries_is_stored_and_dispatched_exactly_once(world: World) -> None:
    world.github.add_repo(REPO, installation_id=INSTALLATION)
    items = [chatter(n % 50 + 1, f"burst-{n}") for n in range(BURST)]
    redelivered = items[: BURST // 10]  # GitHub's "redeliver" button, pressed for 10 %

    first = asyncio.run(send_all(world.baton.url, SECRET, items))
    again = asyncio.run(send_all(world.baton.url, SECRET, redelivered))

    assert first.statuses == {202: BURST} and first.errors == []
    assert set(again.statuses) <= {200, 202} and again.errors == []
    done = world.wait_for(
        lambda: (
            (w := dispatched(world))
            and all(s.status == "SUCCESS" for s in w)
            and len(w) >= BURST
            and w
        ),
        timeout=120,
        what=f"{BURST} dispatched deliveries",
    )
    ids = [status.workflow_id for status in done]
    assert len(ids) == len(set(ids)) == BURST
    print(f"\nburst: {first.summary()}\nredelivered: {again.summary()}")
