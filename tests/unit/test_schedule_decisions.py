"""Which deliveries change schedules, and which schedules a config asks for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.config.load import load_config_unchecked
from bot.dispatch.events import Event
from bot.receive.payloads import to_event
from bot.schedules.firing import firing_id
from bot.schedules.plan import ScheduleSpec, Sync, schedules_of, syncs_for
from tests.payloads import payload

CONFIG = """\
version: 1
workflows:
  triage:
    on: ['schedule:"0 9 * * 1"', 'schedule:"*/5 * * * * *"', api]
    steps: [{uses: issue.read}]
  review:
    on: [/review]
    steps: [{uses: pr.diff}]
"""


def push(ref: str = "refs/heads/main", paths: list[str] | None = None) -> Event:
    changed = [".github/baton.yml"] if paths is None else paths
    body = payload(
        "push",
        None,
        **{
            "ref": ref,
            "repository.full_name": "octo/demo",
            "repository.default_branch": "main",
            "installation.id": 42,
            "commits": [{"added": [], "removed": [], "modified": changed}],
            "head_commit": None,
        },
    )
    return to_event("push", "d1", body)


def installation(event: str, action: str, **fields: Any) -> Event:
    body = payload(event, action, **{"installation.id": 42})
    body.update(fields)
    return to_event(event, "d1", body)


def repos(*names: str) -> list[dict[str, Any]]:
    return [
        {"id": n, "name": name.split("/")[1], "full_name": name} for n, name in enumerate(names)
    ]


def test_each_schedule_trigger_becomes_one_named_schedule() -> None:
    specs = schedules_of(load_config_unchecked(CONFIG), "octo/demo", 42)

    assert [(s.name, s.cron, s.trigger) for s in specs] == [
        ("baton:octo/demo:triage:0", "0 9 * * 1", 'schedule:"0 9 * * 1"'),
        ("baton:octo/demo:triage:1", "*/5 * * * * *", 'schedule:"*/5 * * * * *"'),
    ]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (push(), [Sync(kind="apply", installation_id=42, repo="octo/demo")]),
        (push(paths=["README.md"]), []),
        (push(ref="refs/heads/feature"), []),
        (push(ref="refs/tags/v1"), []),
        (
            installation("installation", "created", repositories=repos("o/a", "o/b")),
            [Sync(kind="apply", installation_id=42, repo=r) for r in ("o/a", "o/b")],
        ),
        (
            installation("installation_repositories", "added", repositories_added=repos("o/a")),
            [Sync(kind="apply", installation_id=42, repo="o/a")],
        ),
        (
            installation("installation_repositories", "removed", repositories_removed=repos("o/b")),
            [Sync(kind="drop_repo", installation_id=42, repo="o/b")],
        ),
        (
            installation("installation", "deleted"),
            [Sync(kind="drop_installation", installation_id=42)],
        ),
        (installation("installation", "suspend"), []),
    ],
)
def test_schedules_follow_config_pushes_to_the_default_branch_and_the_app_coming_and_going(
    event: Event, expected: list[Sync]
) -> None:
    assert syncs_for(event) == expected


def test_a_firing_has_one_run_id_per_repository_and_time_without_slashes() -> None:
    spec = ScheduleSpec(
        name="baton:octo/demo:triage:0",
        cron="* * * * * *",
        repo="octo/demo",
        installation_id=42,
        workflow="triage",
    )
    at = datetime(2025, 3, 3, 9, 0, 1, tzinfo=UTC)
    same_time_elsewhere = at.astimezone(timezone(timedelta(hours=2)))

    assert firing_id(spec, at) == "schedule:octo:demo:20250303T090001Z"
    assert firing_id(spec, same_time_elsewhere) == firing_id(spec, at)
