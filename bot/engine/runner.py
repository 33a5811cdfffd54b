"""The durable run: a DBOS workflow that executes a workflow's steps in order; checkpointed."""

from __future__ import annotations

import logging
import time
from typing import Any

from dbos import DBOS, SetWorkflowID, StepOptions
from pydantic import BaseModel

from bot.engine import registry, runtime
from bot.engine.budget import Caps, exhausted, remaining
from bot.engine.checkrun import check_run_update
from bot.engine.claim import CLAIMS
from bot.engine.context import RunInfo
from bot.engine.control import DBOSDurability
from bot.engine.deliver import deliver_result
from bot.engine.durable import durable_step, retried
from bot.engine.failure import post_failure
from bot.engine.forks import own_run
from bot.engine.queues import RUN_QUEUE
from bot.engine.record import RunRecord, RunStatus, StepRecord
from bot.engine.steps import execute_step, perform, prepare
from bot.ops.logs import bind
from bot.store.ledger import Spend, spend
from bot.store.run_book import finish_run
from bot.store.write_marks import first_claim

log = logging.getLogger("baton.runner")
RUN_EVENT = "run"  # DBOS event key holding the RunRecord, for pages, API and tests
NOTIFY = retried("failure_comment")


class PlannedStep(BaseModel):
    uses: str
    prompt: str | None = None
    with_: dict[str, Any] = {}

    def as_config(self) -> dict[str, Any]:
        return {"uses": self.uses, "prompt": self.prompt, "with": self.with_}


class RunPlan(BaseModel):
    """Everything a run needs, fixed when dispatch starts it."""

    run: RunInfo
    steps: list[PlannedStep]
    config_error: str | None = None
    config_fallback: str = ""
    # A burst of pushes becomes one review: the run waits this long first, and a newer push
    # cancels it meanwhile (dispatch supersedes runs for older heads).
    delay_seconds: float = 0.0


def step_options(uses: str) -> StepOptions:
    policy = registry.get(uses).retry
    return retried(
        f"step:{uses}",
        attempts=policy.max_attempts,
        interval_seconds=policy.interval_seconds,
        backoff_rate=policy.backoff_rate,
    )


def failure_text(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)  # DBOS wraps the attempts' errors when retries run out
    if errors:
        last = errors[-1]
        return f"{last} (after {len(errors)} attempts)"
    return str(exc) or type(exc).__name__


async def sync_check_run(record: dict[str, Any]) -> dict[str, Any]:
    rt = runtime.current()
    parsed = RunRecord.model_validate(record)
    url = f"{rt.settings.baton_public_url.rstrip('/')}/runs/{parsed.run.run_id}"
    github = rt.github(parsed.run.installation_id)
    update = check_run_update(parsed, url)
    # The run's first check run: claimed before it is created, so that only a second
    # attempt (the first may have made it) looks for it on GitHub.
    key = f"check-run\n{update.repo}\n{update.head_sha}\n{update.name}\n{update.external_id}"
    new = update.check_run_id is None and first_claim(rt.store, key)
    check = await github.upsert_check_run(update, new=new)
    found = {"id": check.id, "html_url": check.html_url}
    # `run`: whose check run this is; `synced_at`: when GitHub last heard of the run.
    return {**found, "run": parsed.run.run_id, "synced_at": time.time()}


async def show_progress(record: RunRecord, on_github: bool = True, synced: float = 0.0) -> float:
    """Show progress: on the check run (unless `on_github` is False), and as the run's DBOS
    event; returns when GitHub last heard of the run (`synced` if not now).

    The check run only displays the run: if GitHub refuses it (say the App lacks the checks
    permission), the run goes on and the failure is kept in the record.
    """
    options = retried("check_run")
    if on_github:
        try:
            check = await durable_step(options, sync_check_run, record.model_dump(mode="json"))
        except Exception as exc:
            log.warning("check run not updated for %s: %s", record.run.run_id, failure_text(exc))
            record.check_run_error = failure_text(exc)
        else:
            # A fork replays its original's first updates, which name the original's check
            # run: the fork makes its own.
            own = check.get("run") == record.run.run_id
            record.check_run_id = check["id"] if own else None
            record.check_run_url = check["html_url"] if own else ""
            synced = float(check.get("synced_at", 0.0))
    await DBOS.set_event_async(RUN_EVENT, record.model_dump(mode="json"))
    return synced


def progress_due(step: StepRecord, control: bool, synced: float, every: float) -> bool:
    """Whether the check run shows this step's end. Not when it ended within `every` seconds
    (BATON_CHECK_PROGRESS_SECONDS) of GitHub's last update: a quick run's check run changes at
    its start and its end only, a slow step's end still shows. Decided from checkpointed
    times, so a replay decides the same; a control step (an approval) runs in the workflow
    body, unrecorded: always shown."""
    if control or step.finished_at is None:
        return True
    return step.finished_at - synced >= every


async def run_control(
    run: dict[str, Any], index: int, config: dict[str, Any], outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """A control step runs in the workflow body; its I/O is checkpointed step by step."""
    step_type, ctx, step_input = prepare(run, config, outputs)
    ctx.durability = DBOSDurability()
    return await perform(index, step_type, ctx, step_input)


async def run_one(plan: RunPlan, index: int, outputs: list[dict[str, Any]]) -> StepRecord:
    planned = plan.steps[index]
    run = plan.run.model_dump(mode="json")
    try:
        if registry.get(planned.uses).control:
            result = await run_control(run, index, planned.as_config(), outputs)
        else:
            result = await durable_step(
                step_options(planned.uses), execute_step, run, index, planned.as_config(), outputs
            )
    except Exception as exc:  # the step's failure is the run's data, not a crash of the run
        return StepRecord(index=index, uses=planned.uses, status="failed", error=failure_text(exc))
    return StepRecord.model_validate(result)


# What a step's output may say of the run as a whole (`conclusion`), as the run's status.
OUTCOMES: dict[str, RunStatus] = {
    "neutral": "neutral",
    "timed_out": "timed_out",
    "cancelled": "cancelled",
    "failure": "failed",
}


def conclude(record: RunRecord) -> None:
    if any(step.status == "failed" for step in record.steps):
        record.status = "failed"
        return
    last = record.outputs()[-1] if record.outputs() else {}
    record.status = OUTCOMES.get(str(last.get("conclusion", "")), "succeeded")
    record.headline = str(last.get("headline", ""))
    record.details = str(last.get("details", ""))


@DBOS.workflow(name="baton.run")
async def run_workflow(plan_data: dict[str, Any]) -> dict[str, Any]:
    plan = RunPlan.model_validate(plan_data)
    plan.run = own_run(plan.run, DBOS.workflow_id)  # a retry or fork: its own id
    bind(delivery=plan.run.delivery_id, run=plan.run.run_id)  # on this run's log lines
    record = RunRecord(
        run=plan.run,
        steps=[StepRecord(index=i, uses=s.uses) for i, s in enumerate(plan.steps)],
        config_error=plan.config_error,
        config_fallback=plan.config_fallback,
    )
    if plan.delay_seconds > 0:
        await DBOS.sleep_async(plan.delay_seconds)
    refusal = await DBOS.run_step_async({"name": "budget"}, budget_gate, plan.run.model_dump())
    if refusal is not None:
        return await not_started(record, refusal)
    synced = await show_progress(record)
    for index in range(len(plan.steps)):
        record.steps[index] = await run_one(plan, index, record.outputs())
        step = record.steps[index]
        if step.status == "failed" or (step.output or {}).get("stop_run"):
            for later in record.steps[index + 1 :]:
                later.status = "skipped"
            break
        if index + 1 < len(plan.steps):
            every = runtime.current().settings.baton_check_progress_seconds
            due = progress_due(step, registry.get(step.uses).control, synced, every)
            synced = await show_progress(record, on_github=due, synced=synced)
    conclude(record)
    await show_progress(record)
    if record.status == "failed" and record.run.number is not None:
        await durable_step(NOTIFY, post_failure, record.model_dump(mode="json"))
    await DBOS.run_step_async({"name": "finished"}, mark_finished, plan.run.run_id, record.status)
    await deliver_result(record)
    return record.model_dump(mode="json")


async def budget_gate(run: dict[str, Any]) -> str | None:
    """Why the run must not start at all (a cap already spent), or None."""
    caps = Caps.model_validate(run.get("budget") or {})
    if remaining(caps, Spend(0, 0, 0)) is None:
        return None
    store = runtime.current().store
    return exhausted(caps, spend(store, run["run_id"], run["repo"], run.get("number")))


async def mark_finished(run_id: str, status: str) -> None:
    finish_run(runtime.current().store, run_id, status)
    log.info("run finished: %s", status)  # the run and delivery ids are on the line (bot.ops.logs)


async def not_started(record: RunRecord, reason: str) -> dict[str, Any]:
    for step in record.steps:
        step.status = "skipped"
    record.status, record.headline = "neutral", f"Not started: {reason}"
    await show_progress(record)
    await DBOS.run_step_async({"name": "finished"}, mark_finished, record.run.run_id, "neutral")
    await deliver_result(record)
    return record.model_dump(mode="json")


async def start_run_here(plan: RunPlan) -> str:
    """Start a run in this process, idempotently, from a workflow that a queue gave this
    process (dispatch): runs are shared out with the deliveries that start them, and skip a
    second wait for a queue's poll (0.1 s on average; benchmarks/engine.py)."""
    with SetWorkflowID(plan.run.run_id):
        handle = await DBOS.start_workflow_async(run_workflow, plan.model_dump(mode="json"))
    return handle.workflow_id


async def start_run(plan: RunPlan) -> str:
    """Queue a run idempotently: the same run id twice makes one run, in any Baton process."""
    with SetWorkflowID(plan.run.run_id):
        handle = await DBOS.enqueue_workflow_async(
            RUN_QUEUE, run_workflow, plan.model_dump(mode="json")
        )
    CLAIMS.soon(RUN_QUEUE)  # started here now if this process may, not at the next poll
    return handle.workflow_id
