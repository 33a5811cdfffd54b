"""Spend capped and stale work dropped: what a team sees when pushes come fast or tokens run out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.store.run_book import runs
from tests.e2e.conftest import INSTALLATION, REPO, World, pr_event, running_world
from tests.fakes.github import faults
from tests.fakes.llm import FakeAnswer

REVIEW = {"summary": "Looks fine.", "findings": []}
ADMIN_TOKEN = "budget-e2e-admin-token-0123456789"


def costly(request: dict[str, Any]) -> FakeAnswer:
    """Every model call reports 3,000 input tokens, so budgets bite predictably."""
    return FakeAnswer(text=REVIEW, input_tokens=3000, output_tokens=10)


def config(budget: str, with_: str = "") -> str:
    return f"""\
version: 1
llm: {{ provider: openai, model: gpt-4.1-mini, budget: {{ {budget} }} }}
workflows:
  review:
    on: [pull_request.opened, pull_request.synchronize]
    steps:
      - uses: pr.diff
      - uses: review.llm
        prompt: review
        with: {{ chunk_tokens: 500, max_tokens: 300 {with_} }}
      - uses: review.publish
"""


FILES = {
    f"src/mod{i}.py": "\n".join(f"value_{i}_{n} = {n}" for n in range(60)) + "\n" for i in range(3)
}


@pytest.fixture
def slow_world(tmp_path: Path) -> Iterator[World]:
    """Pushes wait 3 s before their review starts, as a burst would."""
    with running_world(tmp_path, BATON_DEBOUNCE_SECONDS="3") as world:
        yield world


def test_a_burst_of_pushes_is_reviewed_once_for_the_last_head(slow_world: World) -> None:
    world = slow_world
    world.llm.respond_with(lambda request: REVIEW)
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"a.py": "x = 1\n"})
    heads = [world.github.add_pull(REPO, number=4, head_files={"a.py": "x = 2\n"})]
    for n in range(3, 6):
        heads.append(world.github.push_to_pull(REPO, 4, head_files={"a.py": f"x = {n}\n"}))
        world.send("pull_request", pr_event("synchronize", 4, heads[-1]))

    assert world.finished_check(heads[-1]).conclusion == "success"
    world.settle(1.0)
    for old in heads[1:-1]:  # never started (already stale when dispatched), or cancelled
        assert [r.conclusion for r in world.github.check_runs(REPO, old)] in ([], ["cancelled"])
    [review] = world.github.reviews(REPO, 4) or [None]
    assert review is None  # no findings: nothing inline, and never a review for an old head
    assert len(world.llm.requests) == 1
    summaries = [c for c in world.github.comments(REPO, 4) if "baton:summary" in c.body]
    assert len(summaries) == 1 and heads[-1][:7] in summaries[0].body


def run_status(world: World, run_id: str) -> str | None:
    """The run's status in Baton's books, read from its database as an operator would."""
    engine = sa.create_engine(world.baton.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            query = sa.select(runs.c.status).where(runs.c.run_id == run_id)
            return conn.execute(query).scalar_one_or_none()
    finally:
        engine.dispose()


def a_run_then_a_newer_push(world: World) -> tuple[str, str]:
    """PR #4 pushed to (delivery push-1, its run under way), then pushed to again, the second
    push not yet delivered: (the older head, the newer head)."""
    world.llm.respond_with(lambda request: REVIEW)
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"a.py": "x = 1\n"})
    world.github.add_pull(REPO, number=4, head_files={"a.py": "x = 2\n"})
    older = world.github.push_to_pull(REPO, 4, head_files={"a.py": "x = 3\n"})
    world.send("pull_request", pr_event("synchronize", 4, older), delivery="push-1")
    world.wait_for(lambda: run_status(world, "push-1:review") == "running", what="the first run")
    # The run is listed before its dispatch reads the PR's head; pushing before that read would
    # make the first run stale at birth (never started), not superseded.
    path = f"/repos/{REPO}/pulls/4"
    world.wait_for(lambda: world.github.requests_to("GET", path), what="the first head read")
    return older, world.github.push_to_pull(REPO, 4, head_files={"a.py": "x = 4\n"})


def test_a_push_while_a_review_is_unfinished_reads_the_head_and_cancels_the_older(
    slow_world: World,
) -> None:
    world = slow_world
    older, newer = a_run_then_a_newer_push(world)

    world.send("pull_request", pr_event("synchronize", 4, newer), delivery="push-2")

    assert world.finished_check(newer).conclusion == "success"
    [cancelled] = world.github.check_runs(REPO, older)
    assert (cancelled.conclusion, cancelled.title) == (
        "cancelled",
        f"Superseded by {newer[:7]}",
    )
    assert run_status(world, "push-1:review") == "cancelled"
    assert len(world.llm.requests) == 1
    # Each push read the pull from GitHub (pushes never trust their delivery's head: they come
    # in bursts); publishing did not read it again.
    path = f"/repos/{REPO}/pulls/4"
    assert sum(r.path == path for r in world.github.requests_to("GET", path)) == 2


def test_a_superseded_check_run_refused_once_is_written_when_dispatch_tries_again(
    slow_world: World,
) -> None:
    world = slow_world
    older, newer = a_run_then_a_newer_push(world)
    # The "Superseded" check run of the older head is the next check run written: refused
    # once with a rate limit longer than a request waits out (5 s), so the dispatch's step
    # sleeps and runs again, after the older run was already marked cancelled.
    world.github.before_hooks.append(faults.rate_limited("POST", "/check-runs", retry_after=6))

    world.send("pull_request", pr_event("synchronize", 4, newer), delivery="push-2")

    assert world.finished_check(newer).conclusion == "success"
    checks = world.github.check_runs(REPO, older)
    assert [(c.conclusion, c.title) for c in checks] == [
        ("cancelled", f"Superseded by {newer[:7]}")
    ]
    assert run_status(world, "push-1:review") == "cancelled"


def test_a_review_that_reaches_its_token_budget_says_partial(world: World) -> None:
    world.llm.respond_with(costly)
    world.github.add_repo(
        REPO,
        installation_id=INSTALLATION,
        files={".github/baton.yml": config("tokens_per_run: 3500")},
    )
    head = world.github.add_pull(REPO, number=6, head_files=FILES)

    world.send("pull_request", pr_event("opened", 6, head))

    check = world.finished_check(head)
    assert check.conclusion == "success"
    assert check.title.startswith("partial: budget reached")
    assert len(world.llm.requests) == 1
    [summary] = [c for c in world.github.comments(REPO, 6) if "baton:summary" in c.body]
    assert "Partial: budget reached" in summary.body
    assert "reviewed 1 of 3 parts" in summary.body


def test_a_pull_request_whose_budget_is_spent_is_not_reviewed_again(world: World) -> None:
    world.llm.respond_with(costly)
    world.finished_check(opened_under_a_pull_budget(world, 7))

    a_push_is_not_reviewed(world, 7)
    assert len(world.llm.requests) == 1


def opened_under_a_pull_budget(world: World, number: int) -> str:
    """PR `number` opened in a repository whose reviews may spend 2,000 tokens a PR; its head."""
    world.github.add_repo(
        REPO,
        installation_id=INSTALLATION,
        files={".github/baton.yml": config("tokens_per_pr: 2000")},
    )
    head = world.github.add_pull(REPO, number=number, head_files={"a.py": "x = 1\n"})
    world.send("pull_request", pr_event("opened", number, head))
    return head


def a_push_is_not_reviewed(world: World, number: int) -> None:
    """A push to PR `number` whose budget is spent: the run does not start, and says why."""
    second = world.github.push_to_pull(REPO, number, head_files={"a.py": "x = 2\n"})

    world.send("pull_request", pr_event("synchronize", number, second))

    check = world.finished_check(second)
    assert check.conclusion == "neutral"
    assert "Not started: budget reached: `llm.budget.tokens_per_pr` is spent" in check.title


def test_tokens_of_answers_that_never_fit_count_against_the_budget(tmp_path: Path) -> None:
    with running_world(tmp_path, BATON_ADMIN_TOKEN=ADMIN_TOKEN) as world:
        answers_that_never_fit_are_paid_for(world)


def answers_that_never_fit_are_paid_for(world: World) -> None:
    # Each answer costs 1,010 tokens and is not JSON: the answer and its one repair both fail,
    # the step fails, and the 2,020 tokens were paid all the same.
    world.llm.respond_with(
        lambda request: FakeAnswer(
            text="Sure! Here is my review.", input_tokens=1000, output_tokens=10
        )
    )
    failed = world.finished_check(opened_under_a_pull_budget(world, 8))
    assert failed.conclusion == "failure"
    assert len(world.llm.requests) == 2
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    run_page = str(failed.details_url).split("/runs/", 1)[1]  # the run's page, on this Baton
    page = httpx.get(f"{world.baton.url}/runs/{run_page}", headers=bearer)
    assert "2020 tokens spent by failed attempts" in page.text

    a_push_is_not_reviewed(world, 8)
    assert len(world.llm.requests) == 2
