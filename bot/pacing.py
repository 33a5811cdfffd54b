"""Pacing GitHub writes that create content, per installation, with a DBOS queue limiter.

GitHub's secondary limits allow an installation 80 content-creating requests a minute, counted
across everything it does. Each such write first takes a *permit*: a tiny workflow put on the
`baton-writes` queue, partitioned by installation, whose partition limiter starts at most
`limit` permits per `period`. The queue lives in DBOS's tables, so the pace holds across every
Baton process sharing the database.

A permit's workflow id is derived from the run and the write, so a step that runs again (after a
crash or a rate limit) waits for the same permit rather than taking a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid

from dbos import DBOS, DBOSClient, WorkflowHandleAsync

log = logging.getLogger("baton.pacing")

WRITES_QUEUE = "baton-writes"
PERMIT_WORKFLOW = "baton.write_permit"


@DBOS.workflow(name=PERMIT_WORKFLOW)
async def write_permit(what: str) -> float:
    """Started by the queue when the installation may create content again; says when."""
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
                self._client = await asyncio.to_thread(
                    lambda: DBOSClient(system_database_url=url)
                )
            return self._client

    async def acquire(self, installation_id: int, what: str) -> None:
        client = await self._connected()
        started = time.monotonic()
        handle: WorkflowHandleAsync[float] = await client.enqueue_async(
            {
                "queue_name": WRITES_QUEUE,
                "workflow_name": PERMIT_WORKFLOW,
                "workflow_id": permit_id(installation_id, what),
                "queue_partition_key": str(installation_id),
            },
            what,
        )
        await handle.get_result(polling_interval_sec=self._poll_seconds)
        waited = time.monotonic() - started
        if waited > 1.0:
            log.info("installation %s: waited %.1f s to create content", installation_id, waited)

    def close(self) -> None:
        if self._client is not None:
            self._client.destroy()
            self._client = None
