"""The ledger: the tokens (and cost) each step's model calls spent, failed attempts included,
and what a run, a pull request and a repository have spent so far."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.database import Store, insert_once, metadata

DAY = 86_400.0


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

@dataclass(frozen=True)
class Spend:
    run: int
    pull: int
    repo_today: int


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
