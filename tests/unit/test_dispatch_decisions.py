"""Dispatch's pure decisions: which deliveries are ignored, and the plan of each run it starts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.load import load_config_unchecked
from bot.dispatch.events import Event
from bot.dispatch.repo_config import RepoConfig
from bot.dispatch.triggers import Match
from bot.dispatch.workflow import ignored_reason, plan_for, read_pull
from bot.engine.failure import failure_comment
from bot.engine.record import RunRecord, StepRecord
from bot.ports.github import PullRequest

BOT_LOGIN = "baton-app[bot]"

CONFIG = """\
version: 1
llm: { provider: anthropic, model: claude-sonnet-4 }
workflows:
  review:
    on: [pull_request.opened, /review]
    paths: { include: ["src/**", "lib/**"], exclude: ["**/*.lock"] }
    steps:
      - uses: pr.diff
      - uses: review.llm
        prompt: strict-review
        with: { instructions: { "src/api/**": "Check auth." }, chunk_tokens: 6000 }
      - uses: review.publish
  triage:
    on: [issues.opened]
    steps:
      - uses: issue.read
"""


def event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "delivery_id": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "kind": "pull_request",
        "action": "opened",
        "repo": "octo/app",
        "default_branch": "main",
        "installation_id": 42,
        "sender": "alice",
        "subject": "pull_request",
        "number": 7,
        "head_sha": "abc1234",
    }
    return Event(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"sender": "dependabot[bot]", "sender_is_bot": True}, "sender dependabot[bot] is a bot"),
        ({"sender": BOT_LOGIN}, f"sender {BOT_LOGIN} is a bot"),
        ({"installation_id": None}, "no repository or installation in the payload"),
        ({"repo": ""}, "no repository or installation in the payload"),
    ],
)
def test_deliveries_baton_must_not_act_on_are_ignored_with_a_reason(
    overrides: dict[str, Any], reason: str
) -> None:
    assert ignored_reason(event(**overrides), BOT_LOGIN) == reason


def test_a_delivery_from_a_person_is_not_ignored() -> None:
    assert ignored_reason(event(sender="alice"), BOT_LOGIN) is None


def test_a_person_whose_login_merely_resembles_batons_is_not_ignored() -> None:
    assert ignored_reason(event(sender="baton-app"), BOT_LOGIN) is None


def repo_config(error: str | None = None, fallback: str = "") -> RepoConfig:
    return RepoConfig(
        sha="c0ffee0123456789",
        config=load_config_unchecked(CONFIG),
        error=error,
        fallback=fallback,
    )


def test_a_run_is_named_after_the_delivery_and_the_workflow() -> None:
    plan = plan_for(event(), repo_config(), Match(workflow="review", trigger="/review"), "abc1234")

    assert plan.run.run_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958:review"
    assert plan.run.workflow == "review"
    assert plan.run.delivery_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert plan.run.trigger == "/review"


def test_the_plan_carries_the_workflows_steps_with_their_prompt_and_inputs() -> None:
    plan = plan_for(event(), repo_config(), Match(workflow="review", trigger="/review"), "abc1234")

    assert [(s.uses, s.prompt, s.with_) for s in plan.steps] == [
        ("pr.diff", None, {}),
        (
            "review.llm",
            "strict-review",
            {"instructions": {"src/api/**": "Check auth."}, "chunk_tokens": 6000},
        ),
        ("review.publish", None, {}),
    ]


def test_the_run_knows_the_workflows_paths_model_and_the_pull_request() -> None:
    match = Match(workflow="review", trigger="pull_request.opened")

    run = plan_for(event(head_sha=""), repo_config(), match, "fed9876").run

    assert run.paths_include == ["src/**", "lib/**"]
    assert run.paths_exclude == ["**/*.lock"]
    assert (run.llm_provider, run.llm_model) == ("anthropic", "claude-sonnet-4")
    assert (run.repo, run.installation_id, run.number) == ("octo/app", 42, 7)
    assert run.head_sha == "fed9876"  # read from the PR when the payload had none
    assert run.config_sha == "c0ffee0123456789"
    assert run.sender == "alice"


def test_a_run_is_capped_by_default_so_spend_has_a_ceiling_nobody_had_to_set() -> None:
    match = Match(workflow="review", trigger="pull_request.opened")

    run = plan_for(event(), repo_config(), match, "abc1234").run

    assert run.budget == {
        "tokens_per_run": 200_000,
        "tokens_per_pr": 1_000_000,
        "tokens_per_repo_per_day": 5_000_000,
    }


def test_a_cap_written_unlimited_is_no_cap_and_the_others_stay() -> None:
    text = CONFIG.replace(
        "claude-sonnet-4 }",
        "claude-sonnet-4, budget: { tokens_per_pr: unlimited, tokens_per_run: 9000 } }",
    )
    config = RepoConfig(config=load_config_unchecked(text), sha="c0ffee0123456789")
    match = Match(workflow="review", trigger="pull_request.opened")

    run = plan_for(event(), config, match, "abc1234").run

    assert run.budget["tokens_per_pr"] is None
    assert run.budget["tokens_per_run"] == 9000
    assert run.budget["tokens_per_repo_per_day"] == 5_000_000


def test_a_workflow_without_paths_looks_at_every_file() -> None:
    issue = event(kind="issues", subject="issue", head_sha="", number=3)

    plan = plan_for(issue, repo_config(), Match(workflow="triage", trigger="issues.opened"), "")

    assert (plan.run.paths_include, plan.run.paths_exclude) == (["**"], [])
    assert plan.run.subject == "issue"
    assert [s.uses for s in plan.steps] == ["issue.read"]


def test_a_plan_on_a_fallback_config_says_why_and_what_ran_instead() -> None:
    config = repo_config(error="line 3, column 5: bad", fallback="the built-in defaults")

    plan = plan_for(event(), config, Match(workflow="review", trigger="/review"), "abc1234")

    assert plan.config_error == "line 3, column 5: bad"
    assert plan.config_fallback == "the built-in defaults"


def test_a_dispatch_begun_by_an_older_baton_resumes_with_the_head_it_recorded() -> None:
    pull = PullRequest(
        number=4, title="t", author="a", head_sha="c" * 40, head_ref="f", base_ref="main",
        base_sha="b",
    )  # fmt: skip

    # 0.1.0 recorded only the head; a newer Baton recording the pull reads it whole.
    assert read_pull("c" * 40) == ("c" * 40, None)
    assert read_pull(pull.model_dump(mode="json")) == ("c" * 40, pull)


def test_a_failed_run_suggests_trying_again_with_the_commands_its_config_gives_it() -> None:
    text = CONFIG.replace("on: [pull_request.opened, /review]", "on: [pull_request.opened, /audit]")
    config = RepoConfig(config=load_config_unchecked(text), sha="c0ffee0123456789")
    run = plan_for(event(), config, Match(workflow="review", trigger="/audit"), "abc1234").run
    failed = StepRecord(index=1, uses="review.llm", status="failed", error="the model is down")

    comment = failure_comment(RunRecord(run=run, steps=[failed], status="failed"))

    assert run.commands == ["/audit"]
    assert "stopped at step `review.llm`" in comment and "the model is down" in comment
    assert "Try again with `/audit` once the cause is fixed" in comment
