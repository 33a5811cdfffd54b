"""Where a retry or fork starts in DBOS, what the run pages call a run, and what they link to."""

from __future__ import annotations

import pytest

from bot.engine.context import RunInfo
from bot.engine.findings import approvals, github_links
from bot.engine.forks import own_run, step_start
from bot.engine.record import RunRecord, StepRecord
from bot.runs.views import run_status
from bot.runs.workflows import attempt_id

# A four-step review as DBOS lists its functions (read from a real run).
REVIEW = [
    (1, "budget"),
    (2, "check_run"),
    (3, "DBOS.setEvent"),
    (4, "step:pr.diff"),
    (5, "check_run"),
    (6, "DBOS.setEvent"),
    (7, "step:review.checks"),
    (8, "check_run"),
    (9, "DBOS.setEvent"),
    (10, "step:review.llm"),
    (11, "check_run"),
    (12, "DBOS.setEvent"),
    (13, "step:review.publish"),
    (14, "check_run"),
    (15, "DBOS.setEvent"),
    (16, "finished"),
]


@pytest.mark.parametrize(("index", "start"), [(0, 1), (1, 7), (2, 10), (3, 13)])
def test_each_step_of_a_run_forks_from_its_own_first_function(index: int, start: int) -> None:
    assert step_start(REVIEW, index) == start


def test_a_debounce_wait_and_rate_limit_sleeps_do_not_shift_the_steps() -> None:
    delayed = [(1, "DBOS.sleep"), *[(fid + 1, name) for fid, name in REVIEW[:6]]]
    delayed += [(8, "step:review.checks"), (9, "DBOS.sleep"), (10, "step:review.checks")]
    delayed += [(11, "check_run"), (12, "DBOS.setEvent"), (13, "step:review.llm")]

    assert step_start(delayed, 1) == 8
    assert step_start(delayed, 2) == 13


def test_a_step_that_never_began_has_no_fork_point() -> None:
    waiting = REVIEW[:9]  # cancelled right after publishing step 1's result

    assert step_start(waiting, 2) is None


def run_info(**changes: object) -> RunInfo:
    values: dict[str, object] = {
        "run_id": "d1:review",
        "workflow": "review",
        "delivery_id": "d1",
        "trigger": "pull_request.opened",
        "repo": "octo/demo",
        "installation_id": 42,
        "default_branch": "main",
        "config_sha": "abc",
        "run_url": "https://baton.example/runs/d1:review",
    }
    return RunInfo.model_validate({**values, **changes})


def test_a_fork_takes_its_own_run_id_and_page() -> None:
    forked = own_run(run_info(), "d1:review:attempt-2")

    assert forked.run_id == "d1:review:attempt-2"
    assert forked.run_url == "https://baton.example/runs/d1:review:attempt-2"
    assert own_run(run_info(), "d1:review") == run_info()


@pytest.mark.parametrize(
    ("run_id", "taken", "expected"),
    [
        ("d1:review", [], "d1:review:attempt-2"),
        ("d1:review", ["d1:review:attempt-2"], "d1:review:attempt-3"),
        (
            "d1:review:attempt-3",
            ["d1:review:attempt-2", "d1:review:attempt-3"],
            "d1:review:attempt-4",
        ),
    ],
)
def test_attempts_are_numbered_after_the_first_run(
    run_id: str, taken: list[str], expected: str
) -> None:
    assert attempt_id(run_id, taken) == expected


@pytest.mark.parametrize(
    ("record", "row", "engine", "shown"),
    [
        ("running", "running", "CANCELLED", "cancelled"),
        ("running", "running", "ERROR", "failed"),
        (None, "running", "ENQUEUED", "queued"),
        ("succeeded", "succeeded", "SUCCESS", "succeeded"),
        (None, "failed", None, "failed"),
    ],
)
def test_the_status_shown_trusts_dbos_for_cancels_and_crashes(
    record: str | None, row: str | None, engine: str | None, shown: str
) -> None:
    assert run_status(record, row, engine) == shown


def record_with(*outputs: dict[str, object]) -> RunRecord:
    steps = [
        StepRecord(index=n, uses=f"step.{n}", status="succeeded", output=out)
        for n, out in enumerate(outputs)
    ]
    return RunRecord(run=run_info(), steps=steps, check_run_url="https://github.com/o/r/runs/1")


def test_links_are_the_url_fields_of_outputs_never_text_or_scripts() -> None:
    record = record_with(
        {"summary_url": "https://github.com/o/r/pull/5#issuecomment-9", "body": "see https://x.y"},
        {"created": [{"html_url": "https://github.com/o/r/issues/10"}], "run_url": "https://b/r"},
        {"pull_url": "javascript:alert(1)"},
    )

    assert [link.url for link in github_links(record)] == [
        "https://github.com/o/r/runs/1",
        "https://github.com/o/r/pull/5#issuecomment-9",
        "https://github.com/o/r/issues/10",
    ]


def test_approvals_say_who_decided_when_and_on_which_plan() -> None:
    decided = {
        "decision": "approved",
        "decided_by": "maya",
        "decided_at": 5.0,
        "decided_hash": "ab12cd34",
    }
    record = record_with({"plan": {}}, {**decided, "plan": {}})

    [approval] = approvals(record)

    assert (approval.step, approval.by, approval.at, approval.hash) == (1, "maya", 5.0, "ab12cd34")
