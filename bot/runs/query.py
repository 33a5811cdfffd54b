"""Reading Baton's books for the run pages: runs by repo, workflow and status, and their costs."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.database import Store
from bot.store.ledger import failed_spend, ledger
from bot.store.run_book import runs


@dataclass(frozen=True)
class RunFilter:
    repo: str = ""
    workflow: str = ""
    status: str = ""


@dataclass(frozen=True)
class RunRow:
    run_id: str
    repo: str
    number: int | None
    workflow: str
    head_sha: str
    status: str
    created_at: float


@dataclass(frozen=True)
class StepCost:
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


def _where(wanted: RunFilter) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if wanted.repo:
        conditions.append(runs.c.repo == wanted.repo)
    if wanted.workflow:
        conditions.append(runs.c.workflow == wanted.workflow)
    if wanted.status:
        conditions.append(runs.c.status == wanted.status)
    return conditions


def list_runs(store: Store, wanted: RunFilter, limit: int, offset: int) -> tuple[list[RunRow], int]:
    """One page of runs, newest first, and how many runs match in all."""
    where = _where(wanted)
    page = (
        sa.select(runs)
        .where(*where)
        .order_by(runs.c.created_at.desc(), runs.c.run_id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = sa.select(sa.func.count()).select_from(runs).where(*where)
    with store.engine.connect() as conn:
        rows = [RunRow(**row._asdict()) for row in conn.execute(page)]
        return rows, int(conn.execute(count).scalar_one())


def get_run(store: Store, run_id: str) -> RunRow | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
    return RunRow(**row._asdict()) if row is not None else None


def step_costs(store: Store, run_ids: list[str]) -> dict[int, StepCost]:
    """What each step spent, from the ledger: a step's row from the first of `run_ids` that has
    one (a fork's own steps, then the steps it reused from the run it was forked from), plus
    what the run's own failed attempts of the step spent."""
    query = sa.select(ledger).where(ledger.c.run_id.in_(run_ids))
    failed = sa.select(failed_spend).where(failed_spend.c.run_id == run_ids[0])
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
        attempts = list(conn.execute(failed.order_by(failed_spend.c.at)))
    found: dict[int, StepCost] = {}
    for run_id in reversed(run_ids):  # the nearest run's row is written last, and wins
        for row in rows:
            if row.run_id == run_id:
                found[int(row.step)] = StepCost(
                    row.model, int(row.input_tokens), int(row.output_tokens), row.cost_usd
                )
    for row in attempts:
        step = int(row.step)
        before = found.get(step, StepCost(row.model, 0, 0, None))
        costs = [c for c in (before.cost_usd, row.cost_usd) if c is not None]
        found[step] = StepCost(
            before.model or row.model,
            before.input_tokens + int(row.input_tokens),
            before.output_tokens + int(row.output_tokens),
            sum(costs) if costs else None,
        )
    return found


def names(store: Store) -> tuple[list[str], list[str]]:
    """The repositories and workflows that have runs, for the filters' choices."""
    with store.engine.connect() as conn:
        repos = conn.execute(sa.select(runs.c.repo).distinct().order_by(runs.c.repo)).scalars()
        flows = conn.execute(
            sa.select(runs.c.workflow).distinct().order_by(runs.c.workflow)
        ).scalars()
        return list(repos), list(flows)


def forget_run(store: Store, run_id: str) -> None:
    """Remove a run listed before DBOS refused to start it."""
    with store.engine.begin() as conn:
        conn.execute(runs.delete().where(runs.c.run_id == run_id))
