"""Who may approve a plan, and when an /approve no longer names the plan as it stands."""

from __future__ import annotations

import pytest

import handlers.breakdown.plan_format  # noqa: F401  registers the "breakdown" plan format
from bot.engine.markers import PLAN_END, PLAN_START
from handlers.approval.decide import Decision, judge, made_elsewhere
from handlers.approval.plans import PlanParseError, plan_hash, plan_section
from handlers.approval.render import Shown, approval_comment, cancelled_comment
from handlers.approval.step import parse_duration


def decision(kind: str = "approve", role: str = "maintain", hash: str = "") -> Decision:
    return Decision(decision=kind, user="mia", role=role, hash=hash, reason="not now")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "shown", "current", "moved", "expected"),
    [
        (decision(hash="aaaa1111"), "aaaa1111", "aaaa1111", False, "approved"),
        (decision(), "aaaa1111", "aaaa1111", False, "approved"),
        (decision(hash="bbbb2222"), "aaaa1111", "aaaa1111", False, "stale"),
        (decision(hash="aaaa1111"), "aaaa1111", "cccc3333", False, "stale"),
        (decision(), "aaaa1111", "cccc3333", False, "stale"),
        (decision(hash="aaaa1111"), "aaaa1111", "aaaa1111", True, "stale"),
        (decision("reject"), "aaaa1111", "cccc3333", True, "rejected"),
        (decision(role="write"), "aaaa1111", "aaaa1111", False, "refused"),
        (decision("reject", role="read"), "aaaa1111", "aaaa1111", False, "refused"),
        (decision(role="admin"), "aaaa1111", "aaaa1111", False, "approved"),
    ],
)
def test_decision_on_a_plan(
    given: Decision, shown: str, current: str, moved: bool, expected: str
) -> None:
    assert judge(given, "maintain", shown, current, moved).kind == expected


HERE = {"repo": "octo/a", "run": "d-1:breakdown"}


@pytest.mark.parametrize(
    ("where", "elsewhere"),
    [
        ({**HERE, "number": 9}, False),
        ({**HERE, "number": None, "via": "check_run"}, False),
        ({**HERE, "number": 10}, True),  # another issue of the same repository
        ({**HERE, "number": 9, "repo": "octo/b"}, True),  # the same number in another one
        ({**HERE, "number": 9, "run": "d-2:breakdown"}, True),  # meant for another run
        ({**HERE, "number": None, "via": "check_run", "repo": "octo/b"}, True),
        ({"number": 9}, True),  # says nowhere: from before decisions said where
    ],
)
def test_a_run_takes_only_decisions_made_on_its_own_issue_or_check_run(
    where: dict[str, object], elsewhere: bool
) -> None:
    made = Decision.model_validate({"decision": "approve", "user": "mia", "role": "admin", **where})
    assert made_elsewhere(made, "octo/a", 9, "d-1:breakdown") is elsewhere


@pytest.mark.parametrize(
    ("user", "kind", "requester", "expected"),
    [
        ("mia", "approve", "mia", "refused"),
        ("MIA", "approve", "mia", "refused"),  # GitHub logins ignore case
        ("mia", "reject", "mia", "rejected"),  # withdrawing your own request is fine
        ("mia", "approve", "", "approved"),  # forbid_self_approval is off
        ("mia", "approve", "ray", "approved"),
    ],
)
def test_a_requester_may_not_approve_their_own_run_when_the_workflow_says_so(
    user: str, kind: str, requester: str, expected: str
) -> None:
    made = decision(kind).model_copy(update={"user": user})

    verdict = judge(made, "maintain", "aaaa1111", "aaaa1111", False, requester)

    assert verdict.kind == expected
    if expected == "refused":
        assert "someone else must approve" in verdict.message


def test_refusal_says_who_may_decide() -> None:
    verdict = judge(decision(role="write"), "maintain", "aaaa1111", "aaaa1111", False)

    assert "@mia" in verdict.message
    assert "**maintain**" in verdict.message and "**write**" in verdict.message


def test_approving_an_old_hash_after_an_edit_names_the_new_hash() -> None:
    verdict = judge(decision(hash="aaaa1111"), "maintain", "aaaa1111", "cccc3333", False)

    assert verdict.kind == "stale" and "cccc3333" in verdict.message


@pytest.mark.parametrize(
    ("text", "seconds"), [("7d", 604800), ("12h", 43200), ("30m", 1800), ("45s", 45), ("2", 2)]
)
def test_timeouts_read_as_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_a_timeout_that_is_not_a_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("a week")


def test_plan_hash_ignores_key_order_but_not_content() -> None:
    assert plan_hash({"a": 1, "b": [1, 2]}) == plan_hash({"b": [1, 2], "a": 1})
    assert plan_hash({"a": 1}) != plan_hash({"a": 2})
    assert len(plan_hash({})) == 8


def test_plan_section_is_read_between_the_markers() -> None:
    body = f"intro\n{PLAN_START}\n- [x] one\n{PLAN_END}\nfooter"

    assert plan_section(body) == "- [x] one"


def test_a_comment_whose_markers_were_removed_cannot_be_read() -> None:
    with pytest.raises(PlanParseError, match="markers"):
        plan_section("- [x] one")


def shown_plan() -> Shown:
    plan = {"tasks": [{"title": "Index", "body": "Build the index."}]}
    return Shown(
        plan=plan, plan_format="breakdown", hash=plan_hash(plan), head_sha="", deadline=0.0
    )


def test_a_waiting_approval_comment_said_cancelled_keeps_its_plan_and_stops_inviting() -> None:
    marker = "<!-- baton:approval d1:breakdown -->"
    waiting = approval_comment(marker, 9, "maintain", shown_plan(), "waiting")

    cancelled = cancelled_comment(waiting, marker)

    assert cancelled is not None and cancelled.startswith(marker)
    assert f"(`{shown_plan().hash}`) — cancelled" in cancelled
    assert plan_section(cancelled) == plan_section(waiting)
    assert "/approve" not in cancelled and "can no longer be approved" in cancelled


@pytest.mark.parametrize("status", ["approved", "rejected", "timed_out"])
def test_a_decided_approval_comment_is_left_as_it_is(status: str) -> None:
    marker = "<!-- baton:approval d1:breakdown -->"
    decided = approval_comment(marker, 9, "maintain", shown_plan(), status, decided_by="maya")

    assert cancelled_comment(decided, marker) is None
    assert cancelled_comment(decided.replace("approval d1", "approval d2"), marker) is None
