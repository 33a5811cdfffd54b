"""Which cap stops a run, and how much a run may still spend."""

from __future__ import annotations

import pytest

from bot.accounting import Spend
from bot.budget import Caps, cost, exhausted, remaining


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
