"""The deliveries the ack benchmark sends: GitHub's own example payloads, signed, ids unique.

Half are `pull_request.labeled`, half `issue_comment.created` that is not a command: Baton
stores each one and dispatches it (reads the repo config from the fake GitHub, matches no
workflow), so the benchmark measures the ack with dispatch running beside it, not reviews.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.engine.signature import sign
from tests.e2e.conftest import pr_event
from tests.e2e.test_load_e2e import chatter


@dataclass(frozen=True)
class Delivery:
    event: str
    body: bytes
    signature: str


def deliveries(secret: str) -> list[Delivery]:
    bodies = [
        ("pull_request", pr_event("labeled", 7, "a" * 40)),
        ("issue_comment", chatter(7, "unused")[2]),
    ]
    signed = []
    for event, payload in bodies:
        body = json.dumps(payload).encode()
        signed.append(Delivery(event, body, sign(secret, body)))
    return signed


class SignedRequests:
    """Request i as (head, body): the bodies are shared, only the delivery id differs."""

    def __init__(self, host: str, port: int, path: str, secret: str, tag: str) -> None:
        self.tag = tag
        self.heads = [
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "User-Agent: GitHub-Hookshot/benchmark\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(d.body)}\r\nX-GitHub-Event: {d.event}\r\n"
                f"X-Hub-Signature-256: {d.signature}\r\n",
                d.body,
            )
            for d in deliveries(secret)
        ]

    def __call__(self, index: int) -> tuple[bytes, bytes]:
        head, body = self.heads[index % len(self.heads)]
        delivery = f"X-GitHub-Delivery: {self.tag}-{index}\r\n\r\n"
        return (head + delivery).encode(), body
