"""Which cap stops a run, and how much a run may still spend."""

from __future__ import annotations

import pytest

from bot.engine.budget import Caps, cost, exhausted, remaining
from bot.ops.metrics_store import tokens_and_cost
from bot.runs.query import step_costs
from bot.store.database import Store
from bot.store.ledger import Spend, record_failed_spend, record_spend, spend


@pytest.mark.parametrize(
    ("caps", "spent", "left"),
    [
        (Caps(), Spend(10, 10, 10), None),
        (Caps(tokens_per_run=100), Spend(30, 500, 900), 70),
        (Caps(tokens_per_run=100, tokens_per_pr=200), Spend(30, 150, 150), 50),
        (Caps(tokens_per_repo_per_day=1000), Spend(0, 0, 1200), -200),
    ],
)
def test_remaining_is_the_tightest_cap(caps: Caps, spent: Spend, left: int | None) -> None:
    assert remaining(caps, spent) == left


def test_a_spent_cap_is_named_in_the_reason() -> None:
    reason = exhausted(Caps(tokens_per_run=100, tokens_per_pr=200), Spend(10, 200, 200))

    assert reason == "budget reached: `llm.budget.tokens_per_pr` is spent"


def test_nothing_is_exhausted_under_the_caps() -> None:
    assert exhausted(Caps(tokens_per_run=100), Spend(99, 0, 0)) is None


def test_cost_uses_the_configured_price_per_million_tokens() -> None:
    price = {"input_per_mtok": 2.0, "output_per_mtok": 8.0}

    assert cost(price, 1_000_000, 500_000) == pytest.approx(6.0)
    assert cost(None, 10, 10) is None


def row(run_id: str, step: int, tokens: int, number: int = 4) -> dict[str, object]:
    return {
        "run_id": run_id,
        "step": step,
        "repo": "octo/demo",
        "number": number,
        "model": "gpt-4.1-mini",
        "input_tokens": tokens,
        "output_tokens": 1,
        "cost_usd": 0.01,
    }


def test_failed_attempts_count_in_spend_step_costs_and_metrics(store: Store) -> None:
    record_spend(store, row("r1", 1, 100))
    record_failed_spend(store, row("r1", 1, 50))  # the step failed once, then succeeded
    record_failed_spend(store, row("r1", 2, 30))  # a step that only failed
    record_failed_spend(store, row("r2", 1, 7, number=5))  # another PR of the repo

    assert spend(store, "r1", "octo/demo", 4) == Spend(run=183, pull=183, repo_today=191)
    costs = step_costs(store, ["r1"])
    assert (costs[1].input_tokens, costs[1].output_tokens) == (150, 2)
    assert costs[1].cost_usd == pytest.approx(0.02)
    assert (costs[2].input_tokens, costs[2].output_tokens) == (30, 1)
    with store.engine.connect() as conn:
        tokens, cost_usd = tokens_and_cost(conn)
    by_kind = {s.labels["kind"]: s.value for s in tokens.samples}
    assert by_kind == {"input": 187, "output": 4}
    assert cost_usd.samples[0].value == pytest.approx(0.04)
