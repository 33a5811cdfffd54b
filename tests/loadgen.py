"""Signed deliveries sent concurrently, with each answer's status and latency, for load tests."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.engine.signature import sign


@dataclass
class LoadResult:
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    errors: list[str] = field(default_factory=list)  # transport errors, no answer at all
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "per_second": round(self.sent / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(self.latencies) * 1000, 2) if self.latencies else 0,
            "p99_ms": round(self.percentile(0.99) * 1000, 2),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": len(self.errors),
        }


async def _send(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    item: tuple[str, str, dict[str, Any]],
    result: LoadResult,
) -> None:
    event, delivery, payload = item
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(secret, body),
        "Content-Type": "application/json",
    }
    started = time.perf_counter()
    try:
        response = await client.post(f"{url}/webhooks", content=body, headers=headers)
    except httpx.HTTPError as exc:
        result.errors.append(f"{delivery}: {exc!r}")
        return
    result.latencies.append(time.perf_counter() - started)
    result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1


async def send_all(
    url: str, secret: str, items: Iterable[tuple[str, str, dict[str, Any]]], concurrency: int = 32
) -> LoadResult:
    """Send (event, delivery id, payload) items with at most `concurrency` in flight."""
    result, queue = LoadResult(), list(items)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()

        async def worker(share: list[tuple[str, str, dict[str, Any]]]) -> None:
            for item in share:
                await _send(client, url, secret, item, result)

        await asyncio.gather(*(worker(queue[i::concurrency]) for i in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result
