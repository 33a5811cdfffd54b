"""One SQLite transaction at a time in this process, the webhook inbox's first.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps
1, 2, 5, 10 ... up to 100 ms between tries and serves no one in order. With dispatch
checkpointing in the same process, the inbox's commit (every ack waits for it) lost that race
often enough to put the ack p99 in the hundreds of ms (benchmarks/ack.py). Here the process's
transactions take turns at a Python lock instead, and a thread marked urgent (the inbox's)
goes before every other waiter, so it waits at most for the one transaction under way.

The gate only orders work that SQLite would serialize anyway: SQLite's own locks still decide.
A transaction that has held the gate for `STALE_SECONDS` (one whose end was never seen, say)
no longer holds the others back. It is hooked on SQLAlchemy's engine events, so it covers
DBOS's connections and Baton's alike; PostgreSQL connections pass through untouched.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

STALE_SECONDS = 5.0


class Gate:
    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._holder: int | None = None
        self._depth = 0
        self._since = 0.0
        self._urgent_waiting = 0
        self._local = threading.local()

    @contextlib.contextmanager
    def urgent(self) -> Iterator[None]:
        """Transactions begun by this thread inside the block go first."""
        self._local.urgent = True
        try:
            yield
        finally:
            self._local.urgent = False

    def enter(self) -> None:
        me = threading.get_ident()
        urgent = getattr(self._local, "urgent", False)
        with self._turn:
            if self._holder == me:  # a second connection on the same thread: no waiting
                self._depth += 1
                return
            if urgent:
                self._urgent_waiting += 1
            try:
                while not self._free_for(urgent):
                    self._turn.wait(timeout=self._stale_in() if self._holder else None)
            finally:
                if urgent:
                    self._urgent_waiting -= 1
            self._holder, self._depth, self._since = me, 1, time.monotonic()

    def leave(self) -> None:
        me = threading.get_ident()
        with self._turn:
            if self._holder != me:  # taken over after going stale; nothing to hand on
                return
            self._depth -= 1
            if self._depth == 0:
                self._holder = None
                self._turn.notify_all()

    def _free_for(self, urgent: bool) -> bool:
        if self._holder is not None and self._stale_in() > 0:
            return False
        return urgent or self._urgent_waiting == 0

    # SQLAlchemy's commit and rollback events come just before the database's own; the next
    # transaction may begin while that one finishes, and SQLite's lock covers the overlap.

    def _stale_in(self) -> float:
        return max(0.0, self._since + STALE_SECONDS - time.monotonic())


GATE = Gate()
_installed = False


def _sqlite(conn: sa.Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _on_begin(conn: sa.Connection) -> None:
    if _sqlite(conn):
        GATE.enter()


def _on_end(conn: sa.Connection, *args: Any) -> None:
    if _sqlite(conn):
        GATE.leave()


def install() -> None:
    """Hook the gate on every SQLAlchemy engine of the process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(sa.Engine, "begin", _on_begin)
    event.listen(sa.Engine, "commit", _on_end)
    event.listen(sa.Engine, "rollback", _on_end)
    _installed = True
