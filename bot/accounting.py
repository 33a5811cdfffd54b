"""Baton's books beside DBOS: which runs exist for which PR, and the tokens each step spent."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from bot.store import Store, metadata

runs = sa.Table(
    "baton_runs",
    metadata,
    sa.Column("run_id", sa.String(300), primary_key=True),
    sa.Column("repo", sa.String(255), nullable=False),
    sa.Column("number", sa.Integer, nullable=True),
    sa.Column("workflow", sa.String(100), nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("baton_runs_subject", "repo", "number", "workflow"),
)

def _spent() -> list[sa.Column[object]]:
    """The columns of a row of spend, fresh for each table: what a step's model calls cost."""
    return [
        sa.Column("repo", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer, nullable=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("at", sa.Float, nullable=False),
    ]


ledger = sa.Table(
    "baton_ledger",
    metadata,
    sa.Column("run_id", sa.String(300), primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True),  # one row per step: a replay adds nothing
    *_spent(),
    sa.Index("baton_ledger_subject", "repo", "number"),
)

# What the failed attempts of steps spent: a model's answers that never fit, or a call made
# before GitHub failed the step. Spent all the same, so budgets and metrics count them. One row
# per attempt: a step tried again spends again.
failed_spend = sa.Table(
    "baton_ledger_failed",
    metadata,
    sa.Column("attempt", sa.String(40), primary_key=True),
    sa.Column("run_id", sa.String(300), nullable=False, index=True),
    sa.Column("step", sa.Integer, nullable=False),
    *_spent(),
    sa.Index("baton_ledger_failed_subject", "repo", "number"),
)
SPEND_TABLES = (ledger, failed_spend)

# Check runs a dispatch owes GitHub: "Superseded" for each run it stopped, until written. Kept
# apart from the stop's mark, so that a write that fails is tried again by the same dispatch
# (its step runs again), while another dispatch, which did not stop that run, leaves it alone.
owed_checks = sa.Table(
    "baton_owed_checks",
    metadata,
    sa.Column("run_id", sa.String(300), primary_key=True),  # the stopped run
    sa.Column("owner", sa.String(300), nullable=False, index=True),  # the run that stopped it
    sa.Column("head_sha", sa.String(64), nullable=False),  # the stopped run's head
    sa.Column("at", sa.Float, nullable=False),
)

DAY = 86_400.0


def create_tables(store: Store) -> None:
    """Baton's own tables (these and the store's), created if missing."""
    store.create_tables()  # the same metadata, created under a lock on PostgreSQL


@dataclass(frozen=True)
class Spend:
    run: int
    pull: int
    repo_today: int


def insert_once(store: Store, table: sa.Table, row: Mapping[str, object]) -> None:
    """Insert unless a row with the same key exists (steps run at least once)."""
    try:
        with store.engine.begin() as conn:
            conn.execute(table.insert().values(**row))
    except sa.exc.IntegrityError:
        pass


def record_run(
    store: Store, run_id: str, repo: str, number: int | None, workflow: str, head_sha: str
) -> None:
    row = {
        "run_id": run_id,
        "repo": repo,
        "number": number,
        "workflow": workflow,
        "head_sha": head_sha,
        "status": "running",
        "created_at": time.time(),
    }
    insert_once(store, runs, row)


def finish_run(store: Store, run_id: str, status: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.run_id == run_id).values(status=status))


def stop_running(
    store: Store, run_id: str, status: str, owed_by: str | None = None, head_sha: str = ""
) -> bool:
    """Finish a run that is still running; False when it was not (another dispatch got there
    first: only one of several says so on GitHub). With `owed_by`, the same commit records
    that run `owed_by` owes GitHub the stopped run's check run (`owed`, `settle_owed`)."""
    still = sa.and_(runs.c.run_id == run_id, runs.c.status == "running")
    with store.engine.begin() as conn:
        stopped = conn.execute(runs.update().where(still).values(status=status)).rowcount == 1
        if stopped and owed_by is not None:
            row = {"run_id": run_id, "owner": owed_by, "head_sha": head_sha, "at": time.time()}
            conn.execute(owed_checks.insert().values(**row))
        return stopped


def owed(store: Store, owner: str) -> list[tuple[str, str]]:
    """The check runs `owner` still owes: (stopped run, its head)."""
    c = owed_checks.c
    query = sa.select(c.run_id, c.head_sha).where(c.owner == owner).order_by(c.at)
    with store.engine.connect() as conn:
        return [(str(row.run_id), str(row.head_sha)) for row in conn.execute(query)]


def settle_owed(store: Store, run_id: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(owed_checks.delete().where(owed_checks.c.run_id == run_id))


def was_cancelled(store: Store, run_id: str) -> bool:
    """Whether the run was stopped as cancelled: superseded by a newer push's dispatch (which
    read the PR's head from GitHub), or cancelled by an operator."""
    query = sa.select(runs.c.status).where(runs.c.run_id == run_id)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar() == "cancelled"


def others_recorded(store: Store, repo: str, number: int, workflow: str, head_sha: str) -> bool:
    """Whether a run of this workflow on this PR was ever recorded for another head."""
    query = sa.select(runs.c.run_id).where(
        runs.c.repo == repo,
        runs.c.number == number,
        runs.c.workflow == workflow,
        runs.c.head_sha != head_sha,
    )
    with store.engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def _running_on(repo: str, number: int, workflow: str) -> tuple[sa.ColumnElement[bool], ...]:
    """Runs of this workflow on this PR that are still running."""
    return (
        runs.c.repo == repo,
        runs.c.number == number,
        runs.c.workflow == workflow,
        runs.c.status == "running",
    )


def superseded_runs(
    store: Store, repo: str, number: int, workflow: str, head_sha: str
) -> list[tuple[str, str]]:
    """Running runs of this workflow on this PR for another head: (run id, their head)."""
    query = sa.select(runs.c.run_id, runs.c.head_sha).where(
        *_running_on(repo, number, workflow), runs.c.head_sha != head_sha
    )
    with store.engine.connect() as conn:
        return [(str(row.run_id), str(row.head_sha)) for row in conn.execute(query)]


def others_running(store: Store, repo: str, number: int, workflow: str, run_id: str) -> bool:
    """Whether a run of this workflow on this PR, other than `run_id`, is still running."""
    query = sa.select(runs.c.run_id).where(
        *_running_on(repo, number, workflow), runs.c.run_id != run_id
    )
    with store.engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def record_spend(store: Store, row: Mapping[str, object]) -> None:
    insert_once(store, ledger, {**row, "at": time.time()})


def record_failed_spend(store: Store, row: Mapping[str, object]) -> None:
    """Book what a failed attempt of a step spent (`row` as for `record_spend`)."""
    with store.engine.begin() as conn:
        conn.execute(failed_spend.insert().values(**row, attempt=uuid.uuid4().hex, at=time.time()))


def _tokens(conn: sa.Connection, where: Callable[[sa.Table], sa.ColumnElement[bool]]) -> int:
    """Tokens in both books (steps that finished, attempts that failed) matching `where`."""
    found = 0
    for table in SPEND_TABLES:
        total = sa.func.coalesce(sa.func.sum(table.c.input_tokens + table.c.output_tokens), 0)
        found += int(conn.execute(sa.select(total).where(where(table))).scalar_one())
    return found


def spend(store: Store, run_id: str, repo: str, number: int | None) -> Spend:
    """Tokens spent by this run, on this PR (all runs), and in this repo over the last 24 h."""
    since = time.time() - DAY

    def pull(t: sa.Table) -> sa.ColumnElement[bool]:
        return sa.and_(t.c.repo == repo, t.c.number == number if number is not None else sa.false())

    with store.engine.connect() as conn:
        return Spend(
            run=_tokens(conn, lambda t: t.c.run_id == run_id),
            pull=_tokens(conn, pull),
            repo_today=_tokens(conn, lambda t: sa.and_(t.c.repo == repo, t.c.at >= since)),
        )
