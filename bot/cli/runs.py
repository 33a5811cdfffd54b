"""`baton runs list|show|retry|cancel|fork`: runs from a terminal, read from the database itself.

The commands talk to DATABASE_URL through a DBOSClient, so they work with no server up; a
retry or fork is queued there and a running `baton serve` or `baton worker` picks it up. On
SQLite that is the file `baton serve` uses (SQLite lets both use it; the CLI's writes are short).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from bot.cli.loading import settings_or_exit
from bot.engine.record import StepRecord
from bot.ports.llm import Usage
from bot.runs.query import RunFilter
from bot.runs.service import RunActionRefused, RunNotFound, RunService
from bot.runs.views import RunDetail

T = TypeVar("T")
runs_app = typer.Typer(help="List, inspect, retry, cancel or fork runs.", no_args_is_help=True)
DONE = ("succeeded", "neutral", "failed", "timed_out", "cancelled")


def missing_database(url: str) -> str | None:
    """Why DATABASE_URL holds no Baton runs, or None; a missing SQLite file is not created."""
    import sqlalchemy as sa

    from bot.store.database import sqlalchemy_url

    parsed = sa.engine.make_url(sqlalchemy_url(url))
    shown = parsed.render_as_string()  # without its password
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return f"no Baton database at {shown} (set DATABASE_URL to the one `baton serve` uses)"
    engine = sa.create_engine(parsed)
    try:
        found = sa.inspect(engine).has_table("baton_runs")
    except sa.exc.SQLAlchemyError as exc:
        return f"cannot read {shown}: {exc.__class__.__name__}"
    finally:
        engine.dispose()
    return None if found else f"{shown} has no Baton runs yet (start `baton serve` on it once)"


@contextmanager
def run_service() -> Iterator[RunService]:
    from dbos import DBOSClient

    from bot.bootstrap import github_factory
    from bot.store.database import Store

    settings = settings_or_exit("baton runs")
    problem = missing_database(settings.database_url)
    if problem:
        typer.echo(f"baton runs: {problem}", err=True)
        raise typer.Exit(2)
    github = github_factory(settings) if settings.has_app_credentials else None
    store = Store(settings.database_url)
    client = DBOSClient(system_database_url=settings.database_url)
    try:
        yield RunService(
            client,
            store,
            settings.baton_application_version,
            settings.baton_public_url,
            github=github,
        )
    finally:
        client.destroy()
        store.close()


def perform(work: Callable[[RunService], Awaitable[T]]) -> T:
    """Run one piece of work on the service; a refusal or unknown run is a clear exit 1."""

    async def go() -> T:
        with run_service() as service:
            return await work(service)

    try:
        return asyncio.run(go())
    except (RunNotFound, RunActionRefused) as problem:
        typer.echo(f"baton runs: {problem.args[0]}", err=True)
        raise typer.Exit(1) from None


def page_url(run_id: str) -> str:
    from bot.web.page_render import run_path

    return settings_or_exit("baton runs").baton_public_url.rstrip("/") + run_path(run_id)


@runs_app.command("list")
def list_runs(
    repo: Annotated[str, typer.Option(help="Only runs on this repository (owner/name).")] = "",
    workflow: Annotated[str, typer.Option(help="Only runs of this workflow.")] = "",
    status: Annotated[str, typer.Option(help="Only runs with this status, e.g. failed.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
) -> None:
    """The newest runs, with their status."""
    listed = perform(lambda s: s.find(RunFilter(repo, workflow, status), 1, limit))
    if not listed.rows:
        typer.echo("no runs match")
        return
    width = max(len(row.run_id) for row, _ in listed.rows)
    for row, shown in listed.rows:
        subject = f"{row.repo}#{row.number}" if row.number is not None else row.repo
        typer.echo(f"{row.run_id:<{width}}  {shown:<9}  {row.workflow:<12}  {subject}")
    if listed.total > len(listed.rows):
        typer.echo(f"({len(listed.rows)} of {listed.total}; --limit shows more)")


def step_line(step: StepRecord) -> str:
    from bot.web.page_render import took

    spent = took(step.finished_at - step.started_at) if step.started_at and step.finished_at else ""
    return f"  {step.index}. {step.uses:<18} {step.status:<9} {step.usage.total:>6} tokens  {spent}"


def describe(detail: RunDetail) -> Iterator[str]:
    from bot.web.page_render import took, when

    yield f"run {detail.run_id}: {detail.status}"
    if detail.record is not None:
        run = detail.record.run
        number = f" #{run.number}" if run.number is not None else ""
        yield f"  {run.workflow} on {run.repo}{number}, trigger {run.trigger} by @{run.sender}"
        yield f"  delivery {run.delivery_id}, config commit {run.config_sha or '(defaults)'}"
        if detail.record.headline:
            yield f"  {detail.record.headline}"
    usage = detail.record.usage if detail.record else Usage()
    spent = f"{usage.total} tokens ({usage.input_tokens} in, {usage.output_tokens} out)"
    yield f"  started {when(detail.created_at)}, took {took(detail.duration)}; {spent}"
    if detail.forked_from:
        yield f"  forked from {detail.forked_from}"
    for step in detail.steps:
        yield step_line(step)
        if step.error:
            yield f"       error: {step.error}"
    yield f"  page: {page_url(detail.run_id)}"


@runs_app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="The run's id, as the list or its page shows it.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's record as JSON.")
    ] = False,
) -> None:
    """One run: its trigger, steps, status, tokens and errors."""
    detail = perform(lambda s: s.get(run_id))
    if as_json:
        record = detail.record.model_dump(mode="json") if detail.record else None
        typer.echo(
            json.dumps({"run_id": run_id, "status": detail.status, "record": record}, indent=2)
        )
        return
    for line in describe(detail):
        typer.echo(line)


def started(new_id: str, wait: bool) -> None:
    typer.echo(f"queued {new_id}")
    typer.echo(f"  page: {page_url(new_id)}")
    if wait:
        final = wait_for_end(new_id)
        typer.echo(f"{new_id}: {final}")
        if final != "succeeded":
            raise typer.Exit(1)


def wait_for_end(run_id: str) -> str:
    """Poll the run until it ends, with a spinner: a `baton serve` or `baton worker` runs it."""
    from rich.console import Console

    with Console(stderr=True).status(f"waiting for {run_id} to finish…"):
        while True:
            status = perform(lambda s: s.get(run_id)).status
            if status in DONE:
                return status
            time.sleep(1.0)


WAIT = Annotated[bool, typer.Option("--wait", help="Wait until the new run ends.")]


@runs_app.command("retry")
def retry(run_id: Annotated[str, typer.Argument()], wait: WAIT = False) -> None:
    """Retry a failed or cancelled run from its first unfinished step, as a new run."""
    started(perform(lambda s: s.retry(run_id)), wait)


@runs_app.command("fork")
def fork(
    run_id: Annotated[str, typer.Argument()],
    step: Annotated[int, typer.Option(min=0, help="The step to start from (0 is the first).")],
    wait: WAIT = False,
) -> None:
    """Run a finished run again from one step, reusing the outputs of the steps before it."""
    started(perform(lambda s: s.fork(run_id, step)), wait)


@runs_app.command("cancel")
def cancel(run_id: Annotated[str, typer.Argument()]) -> None:
    """Cancel a queued, running or waiting run; its check run says so."""
    perform(lambda s: s.cancel(run_id))
    typer.echo(f"cancelled {run_id}")
