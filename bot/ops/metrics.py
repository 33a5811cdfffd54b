"""What this process alone sees, as Prometheus metrics: deliveries received, GitHub's rate limit.

Runs, steps and tokens are not counted here: any Baton process may execute a run, so they are
read from the shared database when scraped (`bot.ops.metrics_store`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from prometheus_client import Counter, Gauge

DELIVERIES = Counter(
    "baton_webhook_deliveries",
    "Webhook deliveries this process answered, by GitHub event and what became of them.",
    ["event", "outcome"],
)
RATE_LIMIT_REMAINING = Gauge(
    "baton_github_rate_limit_remaining",
    "Requests GitHub last said are left in the current window (x-ratelimit-remaining).",
    ["client", "resource"],
)
RATE_LIMIT_LIMIT = Gauge(
    "baton_github_rate_limit_limit",
    "The size of that window (x-ratelimit-limit).",
    ["client", "resource"],
)


def count_delivery(event: str, outcome: str) -> None:
    """`event` only from a signed delivery: an unsigned request could name any event and make
    one series per name."""
    DELIVERIES.labels(event=event, outcome=outcome).inc()


def observe_rate_limit(client: str, headers: Mapping[str, str]) -> None:
    remaining = headers.get("x-ratelimit-remaining")
    if remaining is None or not remaining.isdigit():
        return
    resource = headers.get("x-ratelimit-resource", "core")
    RATE_LIMIT_REMAINING.labels(client=client, resource=resource).set(int(remaining))
    limit = headers.get("x-ratelimit-limit", "")
    if limit.isdigit():
        RATE_LIMIT_LIMIT.labels(client=client, resource=resource).set(int(limit))


def rate_limit_hooks(client: str) -> dict[str, list[Callable[..., Any]]]:
    """httpx response hooks (githubkit's `async_event_hooks`) noting the rate limit that each
    of one client's responses reports. `client` is an installation id, or "token"."""

    async def note(response: httpx.Response) -> None:
        # Installation tokens are asked for with the App's JWT, which has a limit of its own.
        who = "app" if response.request.url.path.endswith("/access_tokens") else client
        observe_rate_limit(who, response.headers)

    hook: Callable[[httpx.Response], Awaitable[None]] = note
    return {"response": [hook]}
