"""GitHub's own example webhook payloads, for tests that override only the fields they need."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = (
    Path(__file__).parent
    / "fixtures"
    / "octokit-webhooks-examples"
    / "api.github.com"
    / "index.json"
)


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Any = _Remove()
"""An override value that deletes the field: `payload("pull_request", pull_request=REMOVE)`."""


@cache
def _examples_by_event() -> dict[str, list[dict[str, Any]]]:
    events = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return {event["name"]: event["examples"] for event in events}


def example_payloads() -> list[tuple[str, dict[str, Any]]]:
    """Every example as (event name, payload), in the file's order; each payload is a fresh copy."""
    return [
        (name, copy.deepcopy(example))
        for name, examples in _examples_by_event().items()
        for example in examples
    ]


def payload(event_name: str, action: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A copy of the first example of `event_name` (with `action`, if given), with overrides.

    Override keys are dotted paths into the payload (`**{"pull_request.number": 7}`); a numeric
    part indexes a list (`"check_run.pull_requests.0.number"`); missing objects on the way are
    created; the value `REMOVE` deletes the field.
    """
    examples = _examples_by_event().get(event_name)
    if examples is None:
        raise KeyError(f"no example payloads for event {event_name!r}")
    for example in examples:
        if action is None or example.get("action") == action:
            chosen = copy.deepcopy(example)
            break
    else:
        actions = sorted({str(e.get("action")) for e in examples})
        raise KeyError(f"no {event_name!r} example with action {action!r}; there are {actions}")
    for path, value in overrides.items():
        _set_path(chosen, path, value)
    return chosen


def _set_path(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is REMOVE:
        del node[key]
    else:
        node[key] = value
