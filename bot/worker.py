"""`baton worker`: a process with no web server that runs the deliveries and runs others queued."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from bot.bootstrap import Baton
from bot.settings import Settings, SettingsError

SERVE_EXECUTOR_ID = str(Settings.model_fields["baton_executor_id"].default)


def check_worker_settings(settings: Settings) -> None:
    """A worker shares PostgreSQL with `baton serve` and needs an executor id of its own.

    The id is asked for rather than made up: DBOS resumes a process's runs at once only when
    it starts again under the same id, and a stable name (`worker-1`, a StatefulSet pod's) is
    something only the operator knows. A host name would collide for two workers on one host,
    and host + pid would change on every restart (the runs would wait for a takeover instead).
    """
    if settings.database_url.startswith("sqlite"):
        raise SettingsError(
            "`baton worker` shares a PostgreSQL database with `baton serve`: set "
            "DATABASE_URL=postgresql://… for both (with SQLite, `baton serve` does all the work)"
        )
    if settings.baton_executor_id == SERVE_EXECUTOR_ID:
        raise SettingsError(
            f"give this worker an executor id of its own, stable across its restarts: "
            f"`baton worker --executor-id worker-1` or BATON_EXECUTOR_ID "
            f"({SERVE_EXECUTOR_ID!r} is what `baton serve` uses by default)"
        )


def ready_line(settings: Settings) -> str:
    """What a worker prints once it takes work: its id and the database (no password)."""
    database = sa.make_url(settings.database_url).render_as_string(hide_password=True)
    return f"baton worker {settings.baton_executor_id}: taking work from {database}"


def run_worker(
    settings: Settings, stop: threading.Event, on_ready: Callable[[], None] = lambda: None
) -> None:
    """Launch Baton without a web server and work until `stop` is set (SIGTERM, Ctrl-C)."""
    check_worker_settings(settings)
    baton = Baton(settings)
    try:
        baton.launch()
        on_ready()
        while not stop.wait(1.0):
            pass
    finally:
        baton.shutdown()
