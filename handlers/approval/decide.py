"""Who may decide on a plan, and whether an /approve still names the plan as it now stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from bot.roles import Role, role_allows


class Decision(BaseModel):
    """A decision as dispatch delivers it to the waiting run."""

    decision: Literal["approve", "reject"]
    user: str
    role: str  # the user's role on the repository when they decided
    hash: str = ""  # the hash they named, if any
    reason: str = ""
    delivery: str = ""  # the delivery that carried it: replies are keyed by it


class Verdict(BaseModel):
    kind: Literal["refused", "stale", "approved", "rejected"]
    message: str = ""


def judge(
    decision: Decision, required: Role, shown_hash: str, current_hash: str, head_moved: bool
) -> Verdict:
    """Pure: the decision's effect, given the plan's hash when shown and now."""
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
