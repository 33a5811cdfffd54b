"""Log lines: one JSON object each, with the delivery and run they belong to."""

from __future__ import annotations

import json
import logging

from bot.ops.logs import TEXT_FORMAT, ContextIds, JsonFormatter, bind, delivery_id, run_id


def formatted(formatter: logging.Formatter, **extra: object) -> str:
    record = logging.LogRecord("baton.runner", logging.INFO, __file__, 1, "run %s", ("ok",), None)
    record.__dict__.update(extra)
    ContextIds().filter(record)
    return formatter.format(record)


def test_a_json_line_names_the_delivery_and_run_bound_in_its_context() -> None:
    tokens = delivery_id.set(None), run_id.set(None)
    try:
        bind(delivery="d-1", run="d-1:review")
        line = json.loads(formatted(JsonFormatter(), event="pull_request.opened"))
    finally:
        delivery_id.reset(tokens[0])
        run_id.reset(tokens[1])
    assert line["message"] == "run ok"
    assert (line["level"], line["logger"]) == ("INFO", "baton.runner")
    assert (line["delivery_id"], line["run_id"]) == ("d-1", "d-1:review")
    assert line["event"] == "pull_request.opened"
    assert line["time"].endswith("+00:00")


def test_a_line_outside_any_delivery_has_no_ids() -> None:
    line = json.loads(formatted(JsonFormatter()))
    assert "delivery_id" not in line and "run_id" not in line
    assert formatted(logging.Formatter(TEXT_FORMAT)).endswith("run ok")


def test_text_lines_end_with_the_ids() -> None:
    text = formatted(logging.Formatter(TEXT_FORMAT), delivery_id="d-2")
    assert text.endswith("run ok delivery_id=d-2")
