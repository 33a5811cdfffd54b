"""Log lines as one JSON object each, carrying the delivery and run they belong to."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from dbos import DBOS

LogFormat = Literal["json", "text", "auto"]

# Set where a delivery or a run is known; asyncio copies them into each task it starts, so
# a request or a workflow sees only its own.
delivery_id: ContextVar[str | None] = ContextVar("baton_delivery_id", default=None)
run_id: ContextVar[str | None] = ContextVar("baton_run_id", default=None)

# Every attribute a LogRecord has before `extra=` adds any; the rest are the caller's fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_OURS = "_baton_handler"
TEXT_FORMAT = "%(asctime)s [%(levelname)8s] (%(name)s) %(message)s%(ids)s"


def bind(*, delivery: str | None = None, run: str | None = None) -> None:
    """Name the delivery (and run) the current request or workflow works on."""
    if delivery is not None:
        delivery_id.set(delivery)
    if run is not None:
        run_id.set(run)


class ContextIds(logging.Filter):
    """Puts `delivery_id`, `run_id` (and a DBOS workflow id neither names) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = {
            "delivery_id": delivery_id.get() or getattr(record, "delivery_id", None),
            "run_id": run_id.get() or getattr(record, "run_id", None),
        }
        workflow = DBOS.workflow_id  # None outside a workflow, and where DBOS is not set up
        if workflow and workflow not in ids.values():
            ids["workflow_id"] = workflow
        record.__dict__.update(ids)
        record.ids = "".join(f" {key}={value}" for key, value in ids.items() if value)
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the ids, and the simple values passed as `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "ids" and value is not None:
                line[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def chosen_format(setting: LogFormat) -> Literal["json", "text"]:
    """`auto`: text for a person at a terminal, JSON for whatever collects the logs."""
    if setting != "auto":
        return setting
    return "text" if sys.stderr.isatty() else "json"


def handler(fmt: Literal["json", "text"]) -> logging.Handler:
    made = logging.StreamHandler()
    made.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    made.addFilter(ContextIds())
    setattr(made, _OURS, True)
    return made


def configure_logging(level: str, setting: LogFormat = "auto") -> None:
    """One handler on the root logger in the chosen format; DBOS's and uvicorn's handlers (they
    do not pass records to the root) get its formatter and filter, so every line looks alike."""
    ours = handler(chosen_format(setting))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
    root.addHandler(ours)
    logging.getLogger("baton").setLevel(level)
    dbos = logging.getLogger("dbos")
    if not dbos.handlers:  # DBOS adds a console handler of its own only when it finds none
        dbos.addHandler(handler(chosen_format(setting)))
        dbos.propagate = False  # as DBOS does with its own handler: each line once
    for name in ("dbos", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for existing in logging.getLogger(name).handlers:
            if isinstance(existing, logging.StreamHandler) and existing is not ours:
                existing.setFormatter(ours.formatter)
                if not any(isinstance(f, ContextIds) for f in existing.filters):
                    existing.addFilter(ContextIds())
