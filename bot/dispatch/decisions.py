"""Routing /approve, /reject and check-run buttons to the runs that wait for them."""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from bot.dispatch.events import Event
from bot.dispatch.triggers import Command
from bot.engine import markers, runtime
from bot.engine.context import APPROVAL_TOPIC
from bot.engine.durable import durable_step, retried

DECISIONS = {"approve", "reject"}
READ = retried()


def decision_message(
    event: Event, decision: str, args: str, role: str, run_id: str
) -> dict[str, Any]:
    """What the waiting run receives; the run itself judges role, hash and staleness, and
    refuses a decision made anywhere but on its own issue or PR (or its own check run)."""
    words = args.split()
    plan_hash = words[0] if decision == "approve" and words else ""
    reason = args if decision == "reject" else ""
    via = "check_run" if event.kind == "check_run" else "comment"
    return {
        "decision": decision,
        "user": event.sender,
        "role": role,
        "hash": plan_hash,
        "reason": reason,
        "delivery": event.delivery_id,
        "repo": event.repo,
        "number": event.number if via == "comment" else None,
        "run": run_id,
        "via": via,
    }


async def role_of(event: Event) -> str:
    github = runtime.current().github(event.installation_id or 0)
    return await github.get_permission(event.repo, event.sender)


async def waiting_runs(event: Event) -> list[str]:
    """Runs whose approval comment, written by Baton itself, is on this issue or PR and
    that are still running."""
    github = runtime.current().github(event.installation_id or 0)
    prefix = markers.approval_prefix()
    comments = await github.find_own_comments(event.repo, event.number or 0, prefix)
    found = [run for c in comments if (run := markers.approval_run(c.body))]
    pending = []
    for run_id in dict.fromkeys(found):
        status = await DBOS.get_workflow_status_async(run_id)
        # After a restart DBOS re-queues pending runs (ENQUEUED) until its queue thread resumes
        # them; a decision sent then is read when the run reaches its wait.
        if status is not None and status.status in ("PENDING", "ENQUEUED"):
            pending.append(run_id)
    return pending


async def say_nothing_waits(event: Event) -> None:
    github = runtime.current().github(event.installation_id or 0)
    marker = markers.reply(event.delivery_id)
    text = f"{marker}\n@{event.sender} nothing here is waiting for approval."
    await github.upsert_comment(event.repo, event.number or 0, marker, text)


async def deliver(event: Event, targets: list[str], decision: str, args: str) -> dict[str, Any]:
    role = await durable_step({**READ, "name": "decider_role"}, role_of, event)
    for run_id in targets:
        message = decision_message(event, decision, args, role, run_id)
        key = f"{event.delivery_id}:{run_id}"
        await DBOS.send_async(run_id, message, APPROVAL_TOPIC, idempotency_key=key)
    return {"decision": decision, "runs": targets}


async def route_command(event: Event, command: Command) -> dict[str, Any]:
    targets = await durable_step({**READ, "name": "waiting_runs"}, waiting_runs, event)
    if not targets:
        await durable_step({**READ, "name": "reply"}, say_nothing_waits, event)
        return {"decision": command.name, "runs": []}
    return await deliver(event, targets, command.name, command.args)


async def route_button(event: Event) -> dict[str, Any]:
    if event.requested_action not in DECISIONS or not event.check_run_external_id:
        return {"ignored": f"unknown check run action {event.requested_action!r}"}
    return await deliver(event, [event.check_run_external_id], event.requested_action, "")
