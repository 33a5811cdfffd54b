"""Metrics read from the shared database when Prometheus scrapes: true for every Baton process.

A run executes in whichever process (`baton serve` or a `baton worker`) takes it from the
queue, so counters kept in one process's memory would miss the others' work. Runs come from
`baton_runs`, tokens and cost from `baton_ledger` and `baton_ledger_failed` (failed attempts),
and step durations from DBOS's documented `operation_outputs` table, where every checkpointed
step has its start and end times.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from bot.store.database import Store
from bot.store.ledger import SPEND_TABLES
from bot.store.run_book import runs

log = logging.getLogger("baton.metrics")

# Seconds. A step is a GitHub call or two (under a second) up to a long model answer (minutes).
STEP_BUCKETS: Sequence[float] = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
# Baton names each DBOS step that runs a workflow step `step:<type>` (bot.engine.runner).
STEP_PREFIX = "step:"


def operation_outputs(conn: sa.Connection) -> sa.TableClause:
    """DBOS's step table: in the `dbos` schema on PostgreSQL, unqualified in SQLite."""
    schema = None if conn.dialect.name == "sqlite" else "dbos"
    return sa.table(
        "operation_outputs",
        sa.column("function_name", sa.Text),
        sa.column("started_at_epoch_ms", sa.BigInteger),
        sa.column("completed_at_epoch_ms", sa.BigInteger),
        schema=schema,
    )


class StoreCollector:
    """A prometheus_client collector; each scrape runs three grouped queries."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("baton_database_up", "1 if the database answered this scrape.")
        try:
            with self.store.engine.connect() as conn:
                found = [runs_by_status(conn), *tokens_and_cost(conn), step_durations(conn)]
        except sa.exc.SQLAlchemyError as exc:
            log.warning("metrics: the database did not answer: %s", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *found]


def runs_by_status(conn: sa.Connection) -> Metric:
    family = GaugeMetricFamily(
        "baton_runs",
        "Runs Baton has started, by workflow and status.",
        labels=["workflow", "status"],
    )
    query = sa.select(runs.c.workflow, runs.c.status, sa.func.count()).group_by(
        runs.c.workflow, runs.c.status
    )
    for workflow, status, count in conn.execute(query):
        family.add_metric([workflow, status], count)
    return family


def tokens_and_cost(conn: sa.Connection) -> tuple[Metric, Metric]:
    tokens = CounterMetricFamily(
        "baton_llm_tokens", "Model tokens spent, by model and kind.", labels=["model", "kind"]
    )
    cost = CounterMetricFamily(
        "baton_llm_cost_usd", "Model cost in US dollars, where a price is known.", labels=["model"]
    )
    # Both books: steps that finished, and failed attempts (paid for all the same).
    books = sa.union_all(
        *(
            sa.select(t.c.model, t.c.input_tokens, t.c.output_tokens, t.c.cost_usd)
            for t in SPEND_TABLES
        )
    ).subquery()
    query = sa.select(
        books.c.model,
        sa.func.sum(books.c.input_tokens),
        sa.func.sum(books.c.output_tokens),
        sa.func.coalesce(sa.func.sum(books.c.cost_usd), 0.0),
    ).group_by(books.c.model)
    for model, input_tokens, output_tokens, usd in conn.execute(query):
        tokens.add_metric([model, "input"], int(input_tokens or 0))
        tokens.add_metric([model, "output"], int(output_tokens or 0))
        cost.add_metric([model], float(usd))
    return tokens, cost


def step_durations(conn: sa.Connection) -> Metric:
    family = HistogramMetricFamily(
        "baton_step_duration_seconds",
        "How long each executed step took, by step type (from its first attempt to its end).",
        labels=["step"],
    )
    ops = operation_outputs(conn)
    seconds = (ops.c.completed_at_epoch_ms - ops.c.started_at_epoch_ms) / 1000.0
    buckets = [sa.func.sum(sa.case((seconds <= b, 1), else_=0)) for b in STEP_BUCKETS]
    query = (
        sa.select(ops.c.function_name, sa.func.count(), sa.func.sum(seconds), *buckets)
        .where(ops.c.function_name.startswith(STEP_PREFIX))
        .where(ops.c.completed_at_epoch_ms.is_not(None), ops.c.started_at_epoch_ms.is_not(None))
        .group_by(ops.c.function_name)
    )
    for name, count, total, *below in conn.execute(query):
        cumulative = [(str(b), float(n or 0)) for b, n in zip(STEP_BUCKETS, below, strict=True)]
        family.add_metric(
            [name[len(STEP_PREFIX) :]], [*cumulative, ("+Inf", float(count))], float(total or 0)
        )
    return family
