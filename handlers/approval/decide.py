"""Who may decide on a plan, and whether an /approve still names the plan as it now stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from bot.ports.roles import Role, role_allows


class Decision(BaseModel):
    """A decision as dispatch delivers it to the waiting run."""

    decision: Literal["approve", "reject"]
    user: str
    role: str  # the user's role on the repository when they decided
    hash: str = ""  # the hash they named, if any
    reason: str = ""
    delivery: str = ""  # the delivery that carried it: replies are keyed by it
    # Where it was made: a run takes decisions made on its own issue or PR, or with its own
    # check run's buttons, and no others (a maintainer elsewhere is nobody here).
    repo: str = ""
    number: int | None = None
    run: str = ""
    via: Literal["comment", "check_run"] = "comment"


def made_elsewhere(decision: Decision, repo: str, number: int, run_id: str) -> bool:
    """Pure: whether the decision was made anywhere but where this run asked for it."""
    if decision.repo != repo or decision.run != run_id:
        return True
    return decision.via == "comment" and decision.number != number


class Verdict(BaseModel):
    kind: Literal["refused", "stale", "approved", "rejected"]
    message: str = ""


def judge(
    decision: Decision,
    required: Role,
    shown_hash: str,
    current_hash: str,
    head_moved: bool,
    requester: str = "",
) -> Verdict:
    """Pure: the decision's effect, given the plan's hash when shown and now; `requester`,
    when given, is the person who started the run, who may then not approve it."""
    if requester and decision.decision == "approve" and decision.user.lower() == requester.lower():
        return Verdict(
            kind="refused",
            message=f"@{decision.user} you asked for this run, so someone else must approve "
            "its plan (the workflow says `forbid_self_approval: true`).",
        )
    if not role_allows(decision.role, required):
        return Verdict(
            kind="refused",
            message=(
                f"@{decision.user} only people with **{required}** access (or higher) may approve "
                f"or reject this plan; you have **{decision.role}**."
            ),
        )
    if decision.decision == "reject":
        return Verdict(kind="rejected", message=decision.reason)
    if head_moved:
        return Verdict(kind="stale", message="the pull request has new commits since the plan")
    if current_hash != shown_hash:
        return Verdict(kind="stale", message=f"the plan was edited (it is now `{current_hash}`)")
    if decision.hash and decision.hash != shown_hash:
        return Verdict(
            kind="stale", message=f"`{decision.hash}` is not this plan's hash (`{shown_hash}`)"
        )
    return Verdict(kind="approved")
