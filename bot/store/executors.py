"""Which Baton processes are alive: one heartbeat row per executor id, timed by the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.database import metadata

executors = sa.Table(
    "baton_executors",
    metadata,
    sa.Column("executor_id", sa.String(255), primary_key=True),
    # Which start of the process holds the id: a restart gets a new one, so a takeover of the
    # dead incarnation never deletes the row of the live one.
    sa.Column("incarnation", sa.String(36), nullable=False),
    # Seconds since the epoch by the database's clock, written only by the executor itself.
    sa.Column("last_seen", sa.Float, nullable=False),
    # When a live process last claimed the takeover of this executor, if it did.
    sa.Column("claimed_at", sa.Float, nullable=True),
)


class ExecutorIdInUse(Exception):
    """Another live process already heartbeats under this executor id."""


@dataclass(frozen=True)
class Executor:
    executor_id: str
    incarnation: str
    last_seen: float


def database_now(engine: sa.Engine) -> sa.ColumnElement[float]:
    """Now, by the database's clock: processes on several machines compare one clock."""
    if engine.dialect.name == "sqlite":
        return (sa.func.julianday("now") - 2440587.5) * 86400.0
    return sa.cast(sa.extract("epoch", sa.func.clock_timestamp()), sa.Float)


class Heartbeats:
    """The heartbeat rows of every process sharing this database, and this process's own."""

    def __init__(self, engine: sa.Engine, executor_id: str) -> None:
        self.engine = engine
        self.executor_id = executor_id
        self.incarnation = str(uuid.uuid4())
        self.now = database_now(engine)

    def read(self, executor_id: str) -> Executor | None:
        query = sa.select(executors).where(executors.c.executor_id == executor_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Executor(row.executor_id, row.incarnation, row.last_seen)

    def age(self, executor: Executor) -> float:
        with self.engine.connect() as conn:
            return float(conn.execute(sa.select(self.now - executor.last_seen)).scalar_one())

    def join(self) -> None:
        """Take this executor id's row for this process (a restart replaces the dead one's)."""
        row = {"incarnation": self.incarnation, "last_seen": self.now, "claimed_at": None}
        with self.engine.begin() as conn:
            ours = executors.c.executor_id == self.executor_id
            if conn.execute(executors.update().where(ours).values(**row)).rowcount == 0:
                conn.execute(executors.insert().values(executor_id=self.executor_id, **row))

    def beat(self) -> bool:
        """Say this process is alive; False if its row was taken over or replaced meanwhile."""
        with self.engine.begin() as conn:
            mine = conn.execute(
                executors.update()
                .where(executors.c.executor_id == self.executor_id)
                .where(executors.c.incarnation == self.incarnation)
                .values(last_seen=self.now, claimed_at=None)
            )
        return mine.rowcount == 1

    def leave(self) -> None:
        """A clean stop: mark this process gone now, so its parked runs move without delay."""
        with self.engine.begin() as conn:
            conn.execute(
                executors.update()
                .where(executors.c.executor_id == self.executor_id)
                .where(executors.c.incarnation == self.incarnation)
                .values(last_seen=0.0)
            )

    def unclaimed_silence(self, after: float) -> list[sa.ColumnElement[bool]]:
        """Not heard from for `after` seconds, and no takeover claimed within that time."""
        cutoff = self.now - after
        claim = executors.c.claimed_at
        return [executors.c.last_seen < cutoff, sa.or_(claim.is_(None), claim < cutoff)]

    def silent(self, after: float) -> list[Executor]:
        """Other executors not heard from for `after` seconds and not being taken over."""
        query = (
            sa.select(executors)
            .where(*self.unclaimed_silence(after), executors.c.executor_id != self.executor_id)
            .order_by(executors.c.last_seen)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Executor(r.executor_id, r.incarnation, r.last_seen) for r in rows]

    def claim(self, dead: Executor, after: float) -> bool:
        """Take over `dead` alone: of several live processes asking at once, one gets True.

        A claim lasts `after` seconds; a process that dies holding it leaves it to the next.
        """
        with self.engine.begin() as conn:
            won = conn.execute(
                executors.update()
                .where(executors.c.executor_id == dead.executor_id)
                .where(executors.c.incarnation == dead.incarnation)
                .where(*self.unclaimed_silence(after))
                .values(claimed_at=self.now)
            )
        return won.rowcount == 1

    def forget(self, dead: Executor) -> None:
        """Drop a dead executor's row once its runs are handed on (not a restarted one's)."""
        with self.engine.begin() as conn:
            conn.execute(
                executors.delete()
                .where(executors.c.executor_id == dead.executor_id)
                .where(executors.c.incarnation == dead.incarnation)
            )
