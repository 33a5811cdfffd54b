"""Receiving GitHub webhooks: verify, parse narrowly, store durably, answer 202 — nothing more."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.dispatch.workflow import DISPATCH_WORKFLOW
from bot.engine.foreground import FOREGROUND
from bot.engine.queues import DISPATCH_QUEUE
from bot.engine.signature import verify_signature
from bot.ops.logs import bind
from bot.ops.metrics import count_delivery
from bot.receive.inbox import Inbox
from bot.receive.payloads import PayloadError, event_from_body
from bot.schedules.plan import syncs_for
from bot.schedules.sync import SCHEDULES_WORKFLOW

log = logging.getLogger("baton.webhooks")
router = APIRouter()

# Events dispatch can act on; any other event is acknowledged and stored nowhere.
USED_EVENTS = frozenset({"pull_request", "issue_comment", "issues", "check_run"})


def answer(code: int, **content: Any) -> JSONResponse:
    return JSONResponse(content, status_code=code)


def refusal(request: Request, body: bytes) -> JSONResponse | None:
    """The 4xx for a request that is not a well-formed, correctly signed GitHub delivery."""
    secret: str = request.app.state.webhook_secret
    if not verify_signature(secret, body, request.headers.get("x-hub-signature-256")):
        return answer(401, error="missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body)")
    for header in ("x-github-event", "x-github-delivery"):
        if not request.headers.get(header):
            return answer(400, error=f"missing header {header}")
    return None


@router.post("/webhooks", status_code=202)
async def receive(request: Request) -> JSONResponse:
    with FOREGROUND.serving():  # dispatch and runs give way meanwhile (bot/engine/foreground.py)
        return await acknowledge(request)


async def acknowledge(request: Request) -> JSONResponse:
    body = await request.body()
    refused = refusal(request, body)
    if refused is not None:
        count_delivery("", "bad_signature" if refused.status_code == 401 else "missing_header")
        return refused
    name, delivery = request.headers["x-github-event"], request.headers["x-github-delivery"]
    bind(delivery=delivery)
    try:
        event = event_from_body(name, delivery, body)
    except PayloadError as exc:
        count_delivery(name, "malformed")
        return answer(400, error=f"malformed {name} payload: {exc}")
    if name == "ping":
        count_delivery(name, "ping")
        return answer(200, delivery=delivery, status="pong")
    if name not in USED_EVENTS and not syncs_for(event):  # schedule changes are not dispatched
        count_delivery(name, "ignored")
        return answer(202, delivery=delivery, status="ignored", reason=f"Baton does not use {name}")
    # Enqueued rather than started, so any Baton process may dispatch it; the delivery id as
    # workflow id makes a redelivery a no-op. Stored with the deliveries arriving meanwhile, in
    # one commit (bot/receive/inbox.py); if that commit fails, the error becomes a 500 and
    # GitHub may deliver again.
    workflow = DISPATCH_WORKFLOW if name in USED_EVENTS else SCHEDULES_WORKFLOW
    inbox: Inbox = request.app.state.inbox
    outcome = await inbox.store(DISPATCH_QUEUE, workflow, delivery, event.model_dump(mode="json"))
    if outcome == "duplicate":
        count_delivery(name, "duplicate")
        return answer(202, delivery=delivery, status="duplicate")
    count_delivery(name, "accepted")
    log.info("delivery stored", extra={"delivery": delivery, "event": f"{name}.{event.action}"})
    return answer(202, delivery=delivery, status="accepted")
