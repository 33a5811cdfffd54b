"""Pacing GitHub writes that create content, per installation, with a DBOS queue limiter.

GitHub's secondary limits allow an installation 80 content-creating requests a minute, counted
across everything it does. Each such write first takes a *permit*: a tiny workflow put on the
`baton-writes` queue, partitioned by installation, whose partition limiter starts at most
`limit` permits per `period`. The queue lives in DBOS's tables, so the pace holds across every
Baton process sharing the database.

A permit's workflow id is derived from the run and the write, so a step that runs again (after a
crash or a rate limit) waits for the same permit rather than taking a second one. Since every
attempt at a write takes its permit before sending, a permit that did not exist yet also says
this is the write's first attempt: nothing can have been sent, so there is nothing to look for.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
import uuid

from dbos import DBOS, DBOSClient, EnqueueOptions, WorkflowHandleAsync
from dbos._error import DBOSWorkflowIDInUseError

from bot.engine.claim import CLAIMS

log = logging.getLogger("baton.pacing")

WRITES_QUEUE = "baton-writes"
FIRST_LOOK_SECONDS = 0.01  # after asking, a permit's result is first looked for this soon
PERMIT_WORKFLOW = "baton.write_permit"


class _Waiters:
    """The permits this process waits for, by workflow id; a permit that starts here wakes its
    waiter (from whichever thread or event loop DBOS started it on)."""

    def __init__(self) -> None:
        self._events: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
        self._lock = threading.Lock()

    def expect(self, permit: str) -> asyncio.Event:
        event = asyncio.Event()
        with self._lock:
            self._events[permit] = (asyncio.get_running_loop(), event)
        return event

    def forget(self, permit: str) -> None:
        with self._lock:
            self._events.pop(permit, None)

    def wake(self, permit: str) -> None:
        with self._lock:
            found = self._events.get(permit)
        if found is not None:
            loop, event = found
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
                loop.call_soon_threadsafe(event.set)


_waiters = _Waiters()


@DBOS.workflow(name=PERMIT_WORKFLOW)
async def write_permit(what: str) -> float:
    """Started by the queue when the installation may create content again; says when."""
    _waiters.wake(DBOS.workflow_id or "")
    return time.time()


def register_writes_queue(limit: int, period_seconds: float, poll_seconds: float) -> None:
    DBOS.register_queue(
        WRITES_QUEUE,
        partition_limiter={"limit": limit, "period": period_seconds},
        polling_interval_sec=poll_seconds,
    )


def permit_id(installation_id: int, what: str) -> str:
    """The same run asking for the same write gets the same permit."""
    run = DBOS.workflow_id or f"outside-{uuid.uuid4()}"
    digest = hashlib.sha256(f"{installation_id}\n{what}".encode()).hexdigest()[:20]
    return f"permit:{run}:{digest}"


class WritePacer:
    """Hands out permits; `acquire` returns when this installation may create content.

    Called from inside a step, where DBOS does not let a workflow be started, so the permit
    is enqueued with a DBOSClient, built on first use on the same database.
    """

    def __init__(self, database_url: str, poll_seconds: float) -> None:
        self._database_url = database_url
        self._poll_seconds = poll_seconds
        self._client: DBOSClient | None = None
        self._lock = asyncio.Lock()

    async def _connected(self) -> DBOSClient:
        async with self._lock:
            if self._client is None:
                url = self._database_url
                self._client = await asyncio.to_thread(lambda: DBOSClient(system_database_url=url))
            return self._client

    async def acquire(self, installation_id: int, what: str) -> bool:
        """Wait for the permit; True when it was taken now, for the first time (the write's
        first attempt), False when an earlier attempt of the same step had taken it."""
        client = await self._connected()
        started = time.monotonic()
        permit = permit_id(installation_id, what)
        options: EnqueueOptions = {
            "queue_name": WRITES_QUEUE,
            "workflow_name": PERMIT_WORKFLOW,
            "workflow_id": permit,
            "queue_partition_key": str(installation_id),
            "workflow_id_reuse_policy": "reject",  # an existing permit raises, so we know
        }
        handle: WorkflowHandleAsync[float]
        # Expected before it is enqueued: the queue may start it before enqueue_async returns.
        woken = _waiters.expect(permit)
        try:
            try:
                handle = await client.enqueue_async(options, what)
                first = True
            except DBOSWorkflowIDInUseError:
                handle = await client.retrieve_workflow_async(permit)
                first = False
            CLAIMS.soon(WRITES_QUEUE, str(installation_id))  # not at the next poll
            await self._granted(handle, woken)
        finally:
            _waiters.forget(permit)
        waited = time.monotonic() - started
        if waited > 1.0:
            log.info("installation %s: waited %.1f s to create content", installation_id, waited)
        return first

    async def _granted(self, handle: WorkflowHandleAsync[float], woken: asyncio.Event) -> None:
        """Once the permit has started: woken by it here, or its result found by polling (it
        started in another process, or before this one asked again after a crash). Polling
        alone held each write up to BATON_QUEUE_POLL_SECONDS longer (benchmarks/engine.py)."""
        polled = asyncio.ensure_future(self._polled(handle))
        waked = asyncio.ensure_future(woken.wait())
        try:
            await asyncio.wait({polled, waked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            polled.cancel()
            waked.cancel()
        if polled.done() and not polled.cancelled():
            polled.result()  # a permit cancelled by an operator fails the write

    async def _polled(self, handle: WorkflowHandleAsync[float]) -> float:
        """The permit's result, looked for at once, then after 10 ms, then twice as long after
        each look up to the writes' poll interval: a permit another process's poll started is done
        a few ms later, and one poll interval of waiting was a tenth of a review on PostgreSQL
        with workers (benchmarks/engine.py). One the limiter holds back is looked for at the
        poll interval, as before."""
        wait = FIRST_LOOK_SECONDS
        while True:
            status = await handle.get_status()
            if status.status not in ("ENQUEUED", "PENDING", "DELAYED"):
                return await handle.get_result()  # the result, or what failed the permit
            await asyncio.sleep(wait)
            wait = min(wait * 2, self._poll_seconds)

    def close(self) -> None:
        if self._client is not None:
            self._client.destroy()
            self._client = None
