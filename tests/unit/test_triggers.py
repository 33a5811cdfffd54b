"""Which workflows an event starts, and what counts as a slash-command."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.model import BatonConfig
from bot.dispatch.events import Event
from bot.dispatch.triggers import Command, Match, matching_workflows, parse_command


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/review", Command(name="review")),
        ("/review focus on auth", Command(name="review", args="focus on auth")),
        ("/Review   please  ", Command(name="review", args="please")),
        ("\n\n  /review\n", Command(name="review")),
        ("/review\r\nthanks!", Command(name="review")),
        ("/draft make it small\n/review", Command(name="draft", args="make it small")),
        ("/breakdown\tinto 3 issues", Command(name="breakdown", args="into 3 issues")),
        ("   /review", Command(name="review")),
    ],
)
def test_first_line_slash_command_is_a_command(body: str, expected: Command) -> None:
    assert parse_command(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n  ",
        "> /review",
        ">/review",
        "```\n/review\n```",
        "~~~\n/review\n~~~",
        "    /review",  # four spaces: a Markdown code block
        "`/review`",
        "please /review",
        "LGTM\n/review",
        "/review: now",
        "/123",
        "/ review",
        "//review",
        "https://example.com/review",
    ],
)
def test_quoted_fenced_or_later_text_is_not_a_command(body: str) -> None:
    assert parse_command(body) is None


CONFIG = BatonConfig.model_validate(
    {
        "version": 1,
        "workflows": {
            "review": {
                "on": [
                    "pull_request.opened",
                    "pull_request.synchronize",
                    "pull_request.ready_for_review",
                    "/review",
                ],
                "steps": [{"uses": "pr.diff"}],
            },
            "draft": {"on": ["/draft", "issues.labeled:baton-draft"], "steps": [{"uses": "x"}]},
            "lint-drafts": {
                "on": ["pull_request.opened", "pull_request.synchronize"],
                "drafts": True,
                "steps": [{"uses": "x"}],
            },
            "triage": {
                "on": ['schedule:"0 9 * * 1"', "api", "issues.opened"],
                "steps": [{"uses": "x"}],
            },
        },
    }
)


def event(kind: str, action: str, **fields: Any) -> Event:
    return Event(delivery_id="d-1", kind=kind, action=action, repo="o/r", **fields)


def comment(body: str, *, action: str = "created", subject: str = "issue") -> Event:
    return event("issue_comment", action, comment_body=body, subject=subject, number=7)


@pytest.mark.parametrize(
    ("name", "incoming", "expected"),
    [
        (
            "opened PR",
            event("pull_request", "opened", subject="pull_request"),
            [("review", "pull_request.opened"), ("lint-drafts", "pull_request.opened")],
        ),
        (
            "push to a PR",
            event("pull_request", "synchronize"),
            [("review", "pull_request.synchronize"), ("lint-drafts", "pull_request.synchronize")],
        ),
        ("closed PR", event("pull_request", "closed"), []),
        (
            "draft PR opened",
            event("pull_request", "opened", draft=True),
            [("lint-drafts", "pull_request.opened")],
        ),
        (
            "push to a draft PR",
            event("pull_request", "synchronize", draft=True),
            [("lint-drafts", "pull_request.synchronize")],
        ),
        (
            "draft marked ready",
            event("pull_request", "ready_for_review", draft=True),
            [("review", "pull_request.ready_for_review")],
        ),
        (
            "/review on a PR",
            comment("/review focus on auth", subject="pull_request"),
            [("review", "/review")],
        ),
        ("/review on a plain issue", comment("/review"), [("review", "/review")]),
        ("/draft", comment("/DRAFT now"), [("draft", "/draft")]),
        ("unknown command", comment("/deploy"), []),
        ("command quoted", comment("> /review"), []),
        ("command in an edited comment", comment("/review", action="edited"), []),
        (
            "command outside a comment",
            event("issues", "opened", comment_body="/draft"),
            [("triage", "issues.opened")],
        ),
        (
            "the draft label",
            event("issues", "labeled", label="baton-draft"),
            [("draft", "issues.labeled:baton-draft")],
        ),
        (
            "the label, other case",
            event("issues", "labeled", label="Baton-Draft"),
            [("draft", "issues.labeled:baton-draft")],
        ),
        ("another label", event("issues", "labeled", label="bug"), []),
        ("a PR labelled", event("pull_request", "labeled", label="baton-draft"), []),
        ("an unrelated event", event("push", ""), []),
    ],
)
def test_matching_workflows(name: str, incoming: Event, expected: list[tuple[str, str]]) -> None:
    assert matching_workflows(CONFIG, incoming) == [
        Match(workflow=w, trigger=t) for w, t in expected
    ]


def test_a_workflow_matches_once_even_when_several_triggers_fit() -> None:
    config = BatonConfig.model_validate(
        {
            "version": 1,
            "workflows": {"w": {"on": ["/review", "/review"], "steps": [{"uses": "x"}]}},
        }
    )

    assert matching_workflows(config, comment("/review")) == [
        Match(workflow="w", trigger="/review")
    ]


def test_no_workflows_match_nothing() -> None:
    empty = BatonConfig(version=1)

    assert matching_workflows(empty, event("pull_request", "opened")) == []
