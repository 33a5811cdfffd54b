"""Result delivery: when a run ends, POST its result to the workflow's `deliver.webhook`.

Signed like GitHub's webhooks (`X-Baton-Signature-256: sha256=<HMAC-SHA256 of the body>`),
with an `X-Baton-Delivery` id that stays the same across retries so the receiver can drop
repeats. Retried with backoff as a DBOS step: 5xx, 429 and no answer are tried again, any
other status is final. A delivery that fails for good is logged and kept as the run's DBOS
event "delivery"; it never changes the run's status. Only the answer's status is looked at:
its body is never read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import httpx
from dbos import DBOS, StepOptions

from bot.engine import runtime
from bot.engine.destinations import (
    Destination,
    DestinationRefused,
    check_destination,
    is_ip_literal,
)
from bot.engine.durable import retried
from bot.engine.record import RunRecord
from bot.engine.result import DeliveryOutcome, result_of
from bot.engine.signature import sign

log = logging.getLogger("baton.deliver")
DELIVERY_EVENT = "delivery"  # DBOS event key: the outcome of the run's result delivery
EVENT_NAME = "run.completed"  # the X-Baton-Event header
TIMEOUT_SECONDS = 10.0  # the whole attempt, from resolving the name to the answer's headers
# Each address gets this long to take the connection, so one that drops packets leaves time
# to try the next (the host's other address family, say).
TIMEOUTS = httpx.Timeout(TIMEOUT_SECONDS, connect=3.0)


class DeliveryFailed(Exception):
    """The receiver answered with a status that retrying will not change."""


class NotYetDelivered(Exception):
    """The receiver is down or busy (5xx, 429): worth another attempt later."""


def delivery_id(run_id: str) -> str:
    """One id per run, whatever the attempt: derived from the run id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baton-delivery:{run_id}"))


def result_body(record: RunRecord) -> bytes:
    return json.dumps(result_of(record).model_dump(mode="json"), sort_keys=True).encode()


def retryable(exc: BaseException) -> bool:
    return not isinstance(exc, DeliveryFailed | DestinationRefused)


async def post_result(url: str, delivery: str, body: str) -> int:
    """One attempt; returns the receiver's status, raises to be retried (or not)."""
    settings = runtime.current().settings
    data = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Baton",
        "X-Baton-Event": EVENT_NAME,
        "X-Baton-Delivery": delivery,
        "X-Baton-Signature-256": sign(settings.delivery_secret(), data),
    }
    allow_private = settings.baton_delivery_allow_private
    try:
        # One deadline for the whole attempt: httpx's read timeout is per read, which a receiver
        # trickling its answer's headers a byte at a time would never reach.
        async with asyncio.timeout(TIMEOUT_SECONDS):
            destination = await check_destination(url, allow_private=allow_private)
            status = await send(destination, data, headers)
    except TimeoutError:
        raise NotYetDelivered(f"{url} did not answer within {TIMEOUT_SECONDS:g} s") from None
    return judged(url, status)


def judged(url: str, status: int) -> int:
    if status >= 500 or status == 429:
        raise NotYetDelivered(f"{url} answered {status}")
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{url} answered {status}")
    return status


async def send(destination: Destination, data: bytes, headers: dict[str, str]) -> int:
    """POST to the first checked address that takes the connection; its answer's body is never
    read (closing the unread answer closes the connection)."""
    url = destination.url
    pinned = {**headers, "Host": url.netloc.decode("ascii")}
    unreachable: list[str] = []
    async with client() as http:
        for address in destination.addresses:
            request = http.build_request(
                "POST", url.copy_with(host=address), content=data, headers=pinned,
                extensions=tls_name(url),
            )  # fmt: skip
            try:
                response = await http.send(request, stream=True)
            except httpx.ConnectError as exc:
                unreachable.append(f"{address} ({exc or type(exc).__name__})")
                continue
            await response.aclose()
            return response.status_code
    raise NotYetDelivered(f"{url} could not be reached at {', '.join(unreachable)}")


def client() -> httpx.AsyncClient:
    # A transport of its own keeps HTTP(S)_PROXY out: a proxy would resolve the name again.
    # Redirects are not followed: they could lead past the destination check.
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(), timeout=TIMEOUTS, follow_redirects=False
    )


def tls_name(url: httpx.URL) -> dict[str, str]:
    """For https to a named host, the name TLS sends (SNI) and checks the certificate against:
    httpcore passes `sni_hostname` to `ssl` as `server_hostname` instead of the address."""
    if url.scheme != "https" or is_ip_literal(url.host):
        return {}
    return {"sni_hostname": url.raw_host.decode("ascii")}


def options() -> StepOptions:
    settings = runtime.current().settings
    return retried(
        "deliver_result",
        attempts=settings.baton_delivery_attempts,
        interval_seconds=settings.baton_delivery_retry_seconds,
        backoff_rate=2.0,
        also_final=lambda exc: not retryable(exc),
    )


def failure_of(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)  # DBOS lists each attempt's error when retries run out
    if errors:
        return f"{errors[-1]} (after {len(errors)} attempts)"
    return str(exc) or type(exc).__name__


async def deliver_result(record: RunRecord) -> None:
    """Called by the run workflow once the run has ended; does nothing without `deliver`."""
    url = record.run.deliver_to
    if not url:
        return
    delivery = delivery_id(record.run.run_id)  # a retried or forked run is its own run
    outcome = DeliveryOutcome(delivery_id=delivery, url=url, status="delivered")
    try:
        body = result_body(record).decode()
        outcome.response_status = await DBOS.run_step_async(
            options(), post_result, url, delivery, body
        )
    except Exception as exc:  # a failed delivery is the run's data, not its failure
        outcome.status, outcome.error = "failed", failure_of(exc)
        log.warning("result of run %s not delivered: %s", record.run.run_id, outcome.error)
    await DBOS.set_event_async(DELIVERY_EVENT, outcome.model_dump(mode="json"))
