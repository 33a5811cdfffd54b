"""Step `approval`: show the plan with its hash, wait durably for a decision, and go on with the
plan as approved (edits included)."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.engine import markers
from bot.engine.context import APPROVAL_TOPIC, RunInfo, StepContext
from bot.engine.registry import RetryPolicy, step
from bot.ports.github import GitHubPort
from bot.ports.roles import Role
from handlers.approval import io
from handlers.approval.decide import Decision, Verdict, judge, made_elsewhere
from handlers.approval.plans import PlanParseError, get_format, plan_hash, plan_section
from handlers.approval.render import Shown, approval_comment, cancelled_comment

log = logging.getLogger("baton.approval")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | float) -> float:
    """`7d`, `12h`, `30m`, `45s`, or a number of seconds."""
    if isinstance(value, int | float):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not match:
        raise ValueError(f"{value!r} is not a duration like 7d, 12h, 30m or 45s")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


class AskingPeople(BaseModel):
    """What every step that waits for people takes: who may decide, for how long."""

    model_config = ConfigDict(populate_by_name=True)

    repo: str
    number: int
    run_id: str
    from_: Role = Field(default="maintain", alias="from", description="Who may decide.")
    timeout: float = Field(default=7 * 86400, description="How long to wait, e.g. 7d or 12h.")
    forbid_self_approval: bool = Field(
        default=False, description="The person who started the run may not approve it."
    )
    sender: str = ""  # who started the run (from the run)

    @field_validator("timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)


class ApprovalInput(AskingPeople):
    subject: str = "none"
    head_sha: str = ""
    plan: dict[str, Any]
    plan_format: str


class ApprovalOutput(BaseModel):
    plan: dict[str, Any]
    decision: Literal["approved", "rejected", "timed_out"]
    decided_by: str = ""
    decided_hash: str = ""
    decided_at: float = 0.0
    reason: str = ""
    understood: str = ""
    stop_run: bool = False
    conclusion: str = "success"
    headline: str = ""


class Wait:
    """One approval being waited for: what is shown, and how each decision changes it."""

    def __init__(self, inp: ApprovalInput, ctx: StepContext, shown: Shown, part: str) -> None:
        self.inp, self.ctx, self.shown = inp, ctx, shown
        self.marker = markers.approval(inp.run_id, part)

    async def show(self, status: str = "waiting", **extra: Any) -> None:
        inp = self.inp
        body = approval_comment(self.marker, inp.number, inp.from_, self.shown, status, **extra)
        gh = self.ctx.github
        await self.ctx.checkpoint(
            "approval.show", io.upsert, gh, inp.repo, inp.number, self.marker, body
        )

    async def reply(self, delivery: str, text: str) -> None:
        gh, inp = self.ctx.github, self.inp
        await self.ctx.checkpoint(
            "approval.reply", io.reply, gh, inp.repo, inp.number, delivery, text
        )

    async def current(self) -> tuple[dict[str, Any], str]:
        """The plan as the comment now reads (maybe edited), and the PR's head."""
        gh, inp = self.ctx.github, self.inp
        state = await self.ctx.checkpoint(
            "approval.read", io.read_state, gh, inp.repo, inp.number, self.marker, inp.subject
        )
        plan = get_format(inp.plan_format).parse(plan_section(state["body"]))
        return plan, str(state["head_sha"])

    def output(self, decision: str, **fields: Any) -> ApprovalOutput:
        return ApprovalOutput(
            plan=self.shown.plan, decision=decision, decided_hash=self.shown.hash, **fields
        )

    async def timed_out(self) -> ApprovalOutput:
        await self.show("timed_out")
        headline = "Nobody approved the plan in time"
        return self.output("timed_out", stop_run=True, conclusion="timed_out", headline=headline)

    async def refresh(self, plan: dict[str, Any], head: str, why: str) -> None:
        new_hash = plan_hash(plan)
        notice = f"Not approved: {why}. To approve this plan, comment `/approve {new_hash}`."
        self.shown = self.shown.model_copy(
            update={"plan": plan, "hash": new_hash, "head_sha": head, "notice": notice}
        )
        await self.show()

    async def settle(
        self, decision: Decision, verdict: Verdict, plan: dict[str, Any], now: float
    ) -> ApprovalOutput:
        who = {"decided_by": decision.user, "decided_at": now}
        if verdict.kind == "rejected":
            await self.show("rejected", decided_by=decision.user, reason=decision.reason)
            headline = f"Rejected by @{decision.user}"
            return self.output(
                "rejected",
                reason=decision.reason,
                stop_run=True,
                conclusion="cancelled",
                headline=headline,
                **who,
            )
        understood = get_format(self.inp.plan_format).understood(plan)
        self.shown = self.shown.model_copy(update={"plan": plan, "notice": ""})
        await self.show("approved", decided_by=decision.user, understood=understood)
        return self.output("approved", understood=understood, **who)

    async def decide(self, decision: Decision, now: float) -> ApprovalOutput | None:
        """The run's answer to one decision; None while the wait goes on."""
        inp = self.inp
        if made_elsewhere(decision, inp.repo, inp.number, inp.run_id):
            log.warning("run %s ignored a decision by %s made elsewhere", inp.run_id, decision.user)
            return None
        try:
            plan, head = await self.current()
        except PlanParseError as error:
            await self.reply(
                decision.delivery, f"@{decision.user} the plan cannot be read: {error}"
            )
            return None
        moved = self.inp.subject == "pull_request" and head != self.shown.head_sha
        requester = self.inp.sender if self.inp.forbid_self_approval else ""
        verdict = judge(
            decision, self.inp.from_, self.shown.hash, plan_hash(plan), moved, requester
        )
        if verdict.kind == "refused":
            await self.reply(decision.delivery, verdict.message)
            return None
        if verdict.kind == "stale":
            await self.refresh(plan, head, verdict.message)
            return None
        return await self.settle(decision, verdict, plan, now)

    async def until_decided(self) -> ApprovalOutput:
        while True:
            now = await self.ctx.checkpoint("approval.now", io.now)
            left = self.shown.deadline - now
            message = await self.ctx.receive(APPROVAL_TOPIC, left) if left > 0 else None
            if message is None:
                return await self.timed_out()
            result = await self.decide(Decision.model_validate(message), now)
            if result is not None:
                return result


async def show_cancelled(run: RunInfo, github: GitHubPort) -> None:
    """An operator cancelled the run: its approval comments stop inviting a decision."""
    if run.number is None:
        return
    prefix = markers.approval_prefix(run.run_id)  # any part of this run
    for comment in await github.find_own_comments(run.repo, run.number, prefix):
        marker = comment.body.split("\n", 1)[0].strip()
        body = cancelled_comment(comment.body, marker)
        if body is not None:
            await github.upsert_comment(run.repo, run.number, marker, body)


async def wait_for_decision(
    inp: ApprovalInput, ctx: StepContext, *, part: str = "", title: str = "Plan", appendix: str = ""
) -> ApprovalOutput:
    """Post the plan with its hash (`part` names a run's second approval) and wait, durably,
    for a decision on it; the shared body of every step that asks people first."""
    started = await ctx.checkpoint("approval.now", io.now)
    shown = Shown(
        plan=inp.plan,
        plan_format=inp.plan_format,
        hash=plan_hash(inp.plan),
        head_sha=inp.head_sha,
        deadline=started + inp.timeout,
        title=title,
        appendix=appendix,
    )
    wait = Wait(inp, ctx, shown, part)
    await wait.show()
    run = ctx.run.model_dump(mode="json")
    await ctx.checkpoint("approval.check", io.ask_on_check_run, ctx.github, run, shown.hash)
    return await wait.until_decided()


@step(
    "approval",
    input=ApprovalInput,
    output=ApprovalOutput,
    retry=RetryPolicy(max_attempts=1),
    control=True,
    on_cancel=show_cancelled,
)
async def approval(inp: ApprovalInput, ctx: StepContext) -> ApprovalOutput:
    """Post the plan with its hash and wait (durably, up to `timeout`) for /approve or /reject."""
    return await wait_for_decision(inp, ctx)
