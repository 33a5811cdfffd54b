"""The `baton` command: serve, and check or describe a config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot import __version__
from bot.cli.delivery_key import delivery_secret
from bot.cli.review import review
from bot.cli.run import run
from bot.cli.runs import runs_app

app = typer.Typer(help="Baton: durable agent workflows for GitHub.", no_args_is_help=True)
app.command()(review)
app.command()(run)
app.command()(delivery_secret)
config_app = typer.Typer(help="Check or describe `.github/baton.yml`.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(runs_app, name="runs")


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"baton {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Baton: durable agent workflows for GitHub."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
) -> None:
    """Run the web process (webhooks, health) and the workers in one process."""
    import uvicorn

    from bot.cli.loading import settings_or_exit
    from bot.web.connections import server_options
    from bot.web.setup import create_serving_app

    settings = settings_or_exit("baton serve").served_at(host, port)
    app = create_serving_app(settings)
    setup_url = getattr(app.state, "setup_url", None)
    if setup_url:  # only whoever can read this console may register the App
        typer.echo(f"Baton has no GitHub App yet. To register one, open:\n  {setup_url}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", **server_options(settings))


@app.command()
def worker(
    executor_id: Annotated[
        str | None,
        typer.Option(
            help="This worker's id, unique among the processes and the same after a restart "
            "(default: BATON_EXECUTOR_ID).",
        ),
    ] = None,
) -> None:
    """Run queued deliveries and runs, without a web server, beside `baton serve` on PostgreSQL."""
    import signal
    import threading

    from bot.cli.loading import settings_or_exit
    from bot.settings import SettingsError
    from bot.store.executors import ExecutorIdInUse
    from bot.worker import ready_line, run_worker

    overrides = {} if executor_id is None else {"baton_executor_id": executor_id}
    settings = settings_or_exit("baton worker", **overrides)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    ready = ready_line(settings)
    try:
        run_worker(settings, stop, on_ready=lambda: typer.echo(ready, err=True))
    except (SettingsError, ExecutorIdInUse) as problem:
        typer.echo(f"baton worker: {problem}", err=True)
        raise typer.Exit(2) from None


@config_app.command("check")
def config_check(path: Annotated[Path, typer.Argument(help="The config file to check.")]) -> None:
    """Validate a config file; print every problem with its line and column."""
    from bot.config.load import ConfigError, load_config
    from bot.dispatch.repo_config import step_inputs

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        typer.echo(f"{path}: no such file", err=True)
        raise typer.Exit(2) from None
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{path}: cannot be read as a UTF-8 text file ({exc})", err=True)
        raise typer.Exit(2) from None
    try:
        load_config(text, path=str(path), steps=step_inputs())
    except ConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{path}: valid")


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of `.github/baton.yml`, for editors."""
    from bot.config.model import config_json_schema

    typer.echo(json.dumps(config_json_schema(), indent=2))


def main() -> None:
    app()
