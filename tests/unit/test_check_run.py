"""How a run shows on GitHub's checks tab: status, conclusion, title and summary of each stage."""

from __future__ import annotations

from typing import Any

from bot.engine.checkrun import check_run_update
from bot.engine.context import RunInfo
from bot.engine.record import RunRecord, StepRecord
from bot.ports.llm import Usage

STEPS = ["pr.diff", "review.checks", "review.llm", "review.publish"]
DETAILS = "https://baton.example.com/runs/d-1:review"
CONFIG_ERROR = (
    ".github/baton.yml line 7, column 15: workflows.review.steps[1].uses: "
    "unknown step `review.lm` (did you mean `review.llm`?)\n"
    ".github/baton.yml line 4, column 10: workflows.review.on[0]: "
    "unknown trigger `pull_request.opend` (did you mean `pull_request.opened`?)"
)


def run_info(**overrides: Any) -> RunInfo:
    facts: dict[str, Any] = {
        "run_id": "d-1:review",
        "workflow": "review",
        "delivery_id": "d-1",
        "trigger": "pull_request.opened",
        "repo": "octo/app",
        "installation_id": 42,
        "default_branch": "main",
        "config_sha": "c0ffee0123456789",
        "subject": "pull_request",
        "number": 7,
        "head_sha": "abc1234567890",
    }
    return RunInfo(**{**facts, **overrides})


def record(statuses: list[str], **fields: Any) -> RunRecord:
    steps = [
        StepRecord(index=i, uses=uses, status=status)  # type: ignore[arg-type]
        for i, (uses, status) in enumerate(zip(STEPS, statuses, strict=True))
    ]
    return RunRecord(run=fields.pop("run", run_info()), steps=steps, **fields)


def test_a_running_run_is_in_progress_and_counts_the_steps_done() -> None:
    update = check_run_update(
        record(["succeeded", "pending", "pending", "pending"]), details_url=DETAILS
    )

    assert update.status == "in_progress"
    assert update.conclusion is None
    assert update.title == "Running: 1 of 4 steps done"
    assert "| 1 | `pr.diff` | ✅ succeeded |" in update.summary
    assert "| 2 | `review.checks` | ⏳ pending |" in update.summary


def test_a_failed_step_fails_the_check_and_says_why() -> None:
    failed = record(["succeeded", "succeeded", "failed", "skipped"], status="failed")
    failed.steps[2].error = "the model's answer did not fit the schema after 2 attempts"

    update = check_run_update(failed, details_url=DETAILS)

    assert update.status == "completed"
    assert update.conclusion == "failure"
    assert update.title == "Step `review.llm` failed"
    assert (
        "**`review.llm` failed:** the model's answer did not fit the schema after 2 attempts"
        in update.summary
    )
    assert "| 4 | `review.publish` | ⏭️ skipped |" in update.summary


def test_a_run_on_an_invalid_config_quotes_the_errors_and_says_what_ran_instead() -> None:
    done = record(
        ["succeeded"] * 4,
        status="succeeded",
        headline="2 finding(s), 0 note(s)",
        config_error=CONFIG_ERROR,
        config_fallback="the last valid config (from 1a2b3c4)",
    )

    update = check_run_update(done, details_url=DETAILS)

    assert update.conclusion == "success"
    assert update.title == "2 finding(s), 0 note(s)"
    assert (
        "`.github/baton.yml` on `main` is invalid, so this run used "
        "the last valid config (from 1a2b3c4)." in update.summary
    )
    for line in CONFIG_ERROR.splitlines():
        assert f"> {line}\n" in update.summary


def test_a_run_on_a_valid_config_shows_no_warning() -> None:
    update = check_run_update(record(["succeeded"] * 4, status="succeeded"), details_url=None)

    assert "[!WARNING]" not in update.summary
    assert "is invalid" not in update.summary


def test_the_summary_shows_each_steps_tokens_and_their_total() -> None:
    done = record(["succeeded"] * 4, status="succeeded")
    done.steps[2].model = "gpt-4.1-mini"
    done.steps[2].usage = Usage(input_tokens=1200, output_tokens=300)
    done.steps[3].model = "gpt-4.1-mini"
    done.steps[3].usage = Usage(input_tokens=40, output_tokens=2)

    summary = check_run_update(done, details_url=DETAILS).summary

    assert "| 3 | `review.llm` | ✅ succeeded | gpt-4.1-mini | 1500 |" in summary
    assert "| 1 | `pr.diff` | ✅ succeeded | — | — |" in summary
    assert summary.rstrip().endswith("· 1542 tokens")


def test_a_neutral_run_concludes_neutral() -> None:
    update = check_run_update(record(["succeeded"] * 4, status="neutral"), details_url=None)

    assert (update.status, update.conclusion) == ("completed", "neutral")


def test_the_check_run_is_keyed_by_the_run_and_links_to_its_page() -> None:
    update = check_run_update(record(["pending"] * 4), details_url=DETAILS)

    assert update.name == "Baton: review"
    assert update.external_id == "d-1:review"
    assert update.details_url == DETAILS
    assert update.head_sha == "abc1234567890"
    assert update.repo == "octo/app"


def test_without_a_details_page_no_link_is_sent() -> None:
    assert check_run_update(record(["pending"] * 4), details_url=None).details_url is None


def test_a_run_without_a_head_commit_shows_on_the_config_commit() -> None:
    headless = record(["pending"] * 4, run=run_info(subject="issue", head_sha=""))

    update = check_run_update(headless, details_url=None)

    assert update.head_sha == "c0ffee0123456789"
