"""The webhook inbox: deliveries put on the dispatch queue many to a commit.

Storing a delivery is one row in DBOS's tables, ENQUEUED on the dispatch queue, before the 202.
One commit per delivery made each ack wait for its own fsync and for SQLite's write lock, which
dispatch also takes for every checkpoint: at 200 deliveries a second the ack p99 was 234 ms
(benchmarks/ack.py). Here the deliveries that arrive while a commit is under way wait for the
next one, which stores them all together; each ack still answers only once its row is
committed, so a 202 still means "stored".

The rows are written with DBOS's public `DBOSClient.enqueue_in_transaction`, in a transaction
on the system database this module owns. The delivery id is the workflow id under the "reject"
policy, so a redelivery is reported as a duplicate and enqueues nothing, as before.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from dbos import DBOSClient, EnqueueOptions
from dbos._error import DBOSWorkflowIDInUseError  # where DBOS's docs import its errors from

from bot.engine.claim import CLAIMS
from bot.store.database import sqlalchemy_url
from bot.store.sqlite_gate import GATE

log = logging.getLogger("baton.inbox")

Outcome = Literal["accepted", "duplicate"]

# A commit stores at most this many deliveries; the rest wait for the next. Bounds the time one
# transaction holds SQLite's write lock (a few ms for 200 rows).
BATCH = 200


@dataclass
class _Delivery:
    options: EnqueueOptions
    data: dict[str, Any]
    done: asyncio.Future[Outcome] = field(repr=False)


class Inbox:
    """Stores deliveries for any Baton process to dispatch, group-committing them."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._client: DBOSClient | None = None
        self._engine: sa.Engine | None = None
        self._waiting: list[_Delivery] = []
        self._flusher: asyncio.Task[None] | None = None

    def _open(self) -> tuple[DBOSClient, sa.Engine]:
        """Connect on the first commit (blocking; on the commit's thread)."""
        if self._client is not None and self._engine is not None:
            return self._client, self._engine
        self._client = DBOSClient(system_database_url=self._database_url)
        url = sqlalchemy_url(self._database_url)
        args = {"timeout": 30} if url.startswith("sqlite") else {}
        self._engine = sa.create_engine(url, connect_args=args, pool_pre_ping=True)
        return self._client, self._engine

    def close(self) -> None:
        if self._client is not None:
            self._client.destroy()
            self._client = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def store(self, queue: str, workflow: str, delivery: str, data: Any) -> Outcome:
        """Enqueue `workflow(data)` with the delivery id as its id; returns once committed.

        Raises what the commit raised (the database unreachable, say): nothing was stored.
        """
        options: EnqueueOptions = {
            "queue_name": queue,
            "workflow_name": workflow,
            "workflow_id": delivery,
            "workflow_id_reuse_policy": "reject",
            # No version: the newest Baton running claims it, as a delivery means the same to all.
        }
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Delivery(options, data, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        """Commit what is waiting, batch after batch, until nothing is."""
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                outcomes = await asyncio.to_thread(self._commit, batch)
            except Exception as exc:  # every delivery of the batch is told, none is lost silently
                log.warning("storing %d deliveries failed: %s", len(batch), exc)
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            queues = set()
            for item, outcome in zip(batch, outcomes, strict=True):
                if not item.done.done():
                    item.done.set_result(outcome)
                if outcome == "accepted":
                    queues.add(item.options["queue_name"])
            for queue in queues:  # dispatched here now, not at the queue's next poll
                CLAIMS.soon(queue)

    def _commit(self, batch: list[_Delivery]) -> list[Outcome]:
        client, engine = self._open()
        outcomes: list[Outcome] = []
        with GATE.urgent(), engine.begin() as conn:
            for item in batch:
                try:
                    client.enqueue_in_transaction(conn, item.options, item.data)
                except DBOSWorkflowIDInUseError:
                    outcomes.append("duplicate")  # the existing row is left as it was
                else:
                    outcomes.append("accepted")
        return outcomes
