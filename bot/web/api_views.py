"""A run as the API shows it: its published record (DBOS event "run"), or its plan while queued."""

from __future__ import annotations

from typing import Any, cast

from dbos import DBOS, WorkflowStatus

from bot.api.models import ApiStatus, RunView
from bot.engine import runtime
from bot.engine.deliver import DELIVERY_EVENT, delivery_id
from bot.engine.record import RunRecord, StepRecord
from bot.engine.result import FINISHED, DeliveryOutcome, result_of
from bot.engine.runner import RUN_EVENT, RunPlan
from bot.runs.views import STATUSES, run_status

RUN_WORKFLOW = "baton.run"


def planned_record(status: WorkflowStatus) -> RunRecord | None:
    """What a run that has published nothing yet will do: its plan, every step pending."""
    args = status.input["args"] if status.input else ()
    if not args:
        return None
    plan = RunPlan.model_validate(args[0])
    steps = [StepRecord(index=i, uses=s.uses) for i, s in enumerate(plan.steps)]
    return RunRecord(run=plan.run, steps=steps)


def delivery_of(record: RunRecord, run_id: str, outcome: Any) -> DeliveryOutcome | None:
    if outcome:
        return DeliveryOutcome.model_validate(outcome)
    if not record.run.deliver_to:
        return None
    return DeliveryOutcome(
        delivery_id=delivery_id(run_id), url=record.run.deliver_to, status="pending"
    )


def shown_status(published: bool, record: RunRecord, engine: str) -> ApiStatus:
    status = run_status(record.status if published else None, "running", engine)
    return cast(ApiStatus, status) if status in STATUSES else "running"


async def run_view(run_id: str) -> RunView | None:
    """The run with this id, or None when there is no such run."""
    status = await DBOS.get_workflow_status_async(run_id)
    if status is None or status.name != RUN_WORKFLOW:
        return None
    published = await DBOS.get_event_async(run_id, RUN_EVENT, timeout_seconds=0)
    record = RunRecord.model_validate(published) if published else planned_record(status)
    if record is None:
        return None
    outcome = await DBOS.get_event_async(run_id, DELIVERY_EVENT, timeout_seconds=0)
    shown = shown_status(bool(published), record, status.status)
    facts = result_of(record).model_dump(exclude={"status", "id"})
    public = runtime.current().settings.baton_public_url.rstrip("/")
    return RunView(
        id=run_id,
        **facts,
        status=shown,
        finished=shown in FINISHED,
        delivery=delivery_of(record, run_id, outcome),
        page=f"{public}/runs/{run_id}",
    )
