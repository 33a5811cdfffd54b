"""The run book: which runs exist on which pull request and how each ended, and the check runs a
dispatch owes GitHub for runs it stopped."""

from __future__ import annotations

import time

import sqlalchemy as sa

from bot.store.database import Store, insert_once, metadata

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
