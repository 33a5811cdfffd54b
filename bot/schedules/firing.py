"""A schedule fires: start its workflow as the API would, once per firing time.

DBOS gives each firing its own workflow id (schedule name + time), so a firing is started once
however many Baton processes watch the schedule; the run id is derived from the firing time too.
A firing whose schedule was deleted meanwhile starts nothing. The config is read again at each
firing: a workflow that lost its schedule, or a repository Baton no longer sees, starts
nothing, and its schedule removes itself.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from dbos import DBOS

from bot.api.named_runs import NamedStart, StartRefused, plan_named, register
from bot.engine.durable import retried
from bot.engine.runner import RunPlan, start_run
from bot.schedules.plan import ScheduleSpec

log = logging.getLogger("baton.schedules")

PLAN = retried("plan", interval_seconds=1.0, also_final=lambda exc: isinstance(exc, StartRefused))


def firing_id(spec: ScheduleSpec, scheduled_at: datetime) -> str:
    """`schedule:<owner>:<repo>:<UTC time>`: unique per repository and firing, with no "/"
    (run ids appear in URLs)."""
    owner, _, name = spec.repo.partition("/")
    return f"schedule:{owner}:{name}:{scheduled_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


async def drop_schedule(name: str) -> None:
    await DBOS.delete_schedule_async(name)


@DBOS.workflow(name="baton.scheduled")
async def fire_schedule(scheduled_at: datetime, context: Any) -> None:
    spec = ScheduleSpec.model_validate(context)
    # A process notices a deleted schedule only at its next poll, and may fire it meanwhile:
    # a firing whose schedule is gone (workflow dropped, App uninstalled) starts nothing.
    if await DBOS.get_schedule_async(spec.name) is None:
        log.info("schedule %s was removed before its firing at %s", spec.name, scheduled_at)
        return
    start = NamedStart(
        repo=spec.repo,
        installation_id=spec.installation_id,
        workflow=spec.workflow,
        trigger=spec.trigger,
        delivery_id=firing_id(spec, scheduled_at),
    )
    try:
        plan = await DBOS.run_step_async(PLAN, plan_named, start.model_dump(mode="json"))
    except StartRefused as refused:
        log.info("schedule %s removed: %s", spec.name, refused)
        await DBOS.run_step_async({"name": "drop_schedule"}, drop_schedule, spec.name)
        return
    await DBOS.run_step_async({"name": "register"}, register, plan)
    await start_run(RunPlan.model_validate(plan))
