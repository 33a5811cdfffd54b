"""Token budgets: how much a run may still spend, and which cap stops it — pure decisions."""

from __future__ import annotations

from pydantic import BaseModel

from bot.store.ledger import Spend


class Caps(BaseModel):
    tokens_per_run: int | None = None
    tokens_per_pr: int | None = None
    tokens_per_repo_per_day: int | None = None


def headroom(caps: Caps, spent: Spend) -> dict[str, int]:
    """Tokens left under each cap that is set, by the cap's name as users write it."""
    pairs = {
        "tokens_per_run": (caps.tokens_per_run, spent.run),
        "tokens_per_pr": (caps.tokens_per_pr, spent.pull),
        "tokens_per_repo_per_day": (caps.tokens_per_repo_per_day, spent.repo_today),
    }
    return {name: cap - used for name, (cap, used) in pairs.items() if cap is not None}


def remaining(caps: Caps, spent: Spend) -> int | None:
    """The tightest headroom; None when no cap is set."""
    left = headroom(caps, spent)
    return min(left.values()) if left else None


def exhausted(caps: Caps, spent: Spend) -> str | None:
    """Why nothing more may be spent, or None."""
    for name, left in headroom(caps, spent).items():
        if left <= 0:
            return f"budget reached: `llm.budget.{name}` is spent"
    return None


def cost(price: dict[str, float] | None, input_tokens: int, output_tokens: int) -> float | None:
    if price is None:
        return None
    return (input_tokens * price["input_per_mtok"] + output_tokens * price["output_per_mtok"]) / 1e6
