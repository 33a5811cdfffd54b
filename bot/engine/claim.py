"""Work this process puts on a queue is claimed here at once, not at the queue's next poll.

DBOS 3.4 polls each queue on a timer (BATON_QUEUE_POLL_SECONDS for deliveries and runs,
BATON_WRITES_POLL_SECONDS for write permits) and, on SQLite, has nothing that wakes a queue when
work is put on it. A review crossed two such hops, the delivery's dispatch and the write permits,
and waited for half a poll interval at each on average: two thirds of the engine overhead that
benchmarks/engine.py measured.

After putting work on a queue, Baton asks this module to claim that queue (or one partition of
it) for this process. The claim is DBOS's own, the one the queue's thread makes at each poll:
one transaction that checks the queue's concurrency and rate limits, so a claim made here obeys
them exactly as a poll would, and a row is claimed by one process only. What a claim here cannot
take (a limit is full, the process is not listening to that queue) the polls find as before.

The claims run on one thread of their own, and requests that arrive while a claim is under way
are merged into the next one, so a burst of deliveries costs a few claims, not one each.

This reaches into DBOS internals (its system database, its set of running workflows, and the
function that starts a claimed workflow), so pyproject pins DBOS to the minor version they were
read from; if they are missing, claiming here logs once and stops, and the polls do all the
work again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger("baton.claim")


# A queue's settings (its limits) are read again after this long, as the poll reads them.
SETTINGS_SECONDS = 1.0

_settings: dict[str, tuple[float, Any]] = {}


def _queue(sys_db: Any, queue_name: str) -> Any:
    now = time.monotonic()
    known = _settings.get(queue_name)
    if known is None or now - known[0] > SETTINGS_SECONDS:
        known = (now, sys_db.get_queue(queue_name))
        _settings[queue_name] = known
    return known[1]


def claim_now(queue_name: str, partition: str | None = None) -> int:
    """Claim and start what this process may take of `queue_name` now; how many started."""
    from dbos import _dbos
    from dbos._core import execute_dequeued_workflow
    from dbos._utils import GlobalParams, generate_uuid

    dbos: Any = _dbos._dbos_global_instance
    if dbos is None or not dbos._launched:
        return 0
    listening = dbos._listening_queues
    if listening is not None and queue_name not in listening:
        return 0
    sys_db = dbos._sys_db
    queue = _queue(sys_db, queue_name)
    if queue is None:
        return 0
    active = dbos._active_workflows_set
    running = active.count_for_queue(queue_name)
    if queue._worker_concurrency is not None and running >= queue._worker_concurrency:
        return 0  # no room in this process: not even a transaction (a burst of acks waits on it)
    in_partition = active.count_for_partition(queue_name, partition) if partition else 0
    owner = generate_uuid()
    claimed, _ = sys_db.start_queued_workflows(
        queue,
        GlobalParams.executor_id,
        GlobalParams.app_version,
        partition,
        running,
        in_partition,
        owner_xid=owner,
    )
    if claimed:
        found = sys_db.get_workflow_statuses(claimed)
        statuses = {status["workflow_uuid"]: status for status in found}
        for workflow_id in claimed:
            execute_dequeued_workflow(dbos, statuses[workflow_id], owner)
    return len(claimed)


class Claims:
    """One thread that claims what it is asked to, merging requests that wait."""

    def __init__(self) -> None:
        self._wanted: set[tuple[str, str | None]] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._broken = False

    def soon(self, queue_name: str, partition: str | None = None) -> None:
        """Ask for a claim of `queue_name` (one partition of it); returns at once."""
        if self._broken:
            return
        with self._changed:
            self._wanted.add((queue_name, partition))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="baton-claims", daemon=True)
                self._thread.start()
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._wanted:
                    self._changed.wait()
                wanted, self._wanted = self._wanted, set()
            for queue_name, partition in sorted(wanted, key=str):
                self._claim(queue_name, partition)

    def _claim(self, queue_name: str, partition: str | None) -> None:
        try:
            claim_now(queue_name, partition)
        except (AttributeError, ImportError, TypeError) as exc:  # DBOS's internals moved
            self._broken = True
            log.warning("claiming queued work at once is off (%r); queues are polled", exc)
        except Exception as exc:  # the poll takes it then; a claim is only a shortcut
            log.debug("claiming %s now failed: %s", queue_name, exc)


CLAIMS = Claims()
