"""Bring DBOS's schedules in line with a delivery: a config push, or the App coming or going.

One durable workflow per delivery (its id is the delivery id, like dispatch's), each change a
step. Schedules live in DBOS's tables, so they survive restarts and every process fires them.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS, StepOptions

from bot.dispatch.events import Event
from bot.dispatch.repo_config import RepoConfig, load_repo_config
from bot.engine import runtime
from bot.engine.durable import retried
from bot.ports.github import GitHubError
from bot.schedules.firing import fire_schedule
from bot.schedules.plan import PREFIX, ScheduleSpec, Sync, repo_prefix, schedules_of, syncs_for

STEP = retried(interval_seconds=1.0)


def unchanged(existing: dict[str, Any] | None, spec: ScheduleSpec) -> bool:
    if existing is None or existing.get("status") != "ACTIVE":
        return False
    return bool(existing["schedule"] == spec.cron and existing["context"] == spec.model_dump())


async def apply_repo(repo: str, installation_id: int) -> dict[str, Any]:
    """Read the default branch's config; create, change and delete the repo's schedules to match.

    Unchanged schedules are left alone: replacing one restarts its timer."""
    github = runtime.current().github(installation_id)
    try:
        branch = (await github.get_repository(repo)).default_branch
    except GitHubError as exc:
        if exc.status != 404:
            raise
        return {"repo": repo, "removed": await drop(repo_prefix(repo))}  # gone, or not ours
    event = Event(
        delivery_id="",
        kind="schedules",
        repo=repo,
        default_branch=branch,
        installation_id=installation_id,
    )
    config = RepoConfig.model_validate(await load_repo_config(event))
    wanted = schedules_of(config.config, repo, installation_id)
    existing = {
        s["schedule_name"]: dict(s)
        for s in await DBOS.list_schedules_async(schedule_name_prefix=repo_prefix(repo))
    }
    changed = [spec for spec in wanted if not unchanged(existing.get(spec.name), spec)]
    if changed:
        await DBOS.apply_schedules_async(
            [
                {
                    "schedule_name": s.name,
                    "workflow_fn": fire_schedule,
                    "schedule": s.cron,
                    "context": s.model_dump(),
                }
                for s in changed
            ]
        )
    stale = sorted(set(existing) - {spec.name for spec in wanted})
    for name in stale:
        await DBOS.delete_schedule_async(name)
    return {"repo": repo, "applied": [s.name for s in changed], "removed": stale}


async def drop(prefix: str, installation_id: int | None = None) -> list[str]:
    """Delete the schedules under `prefix` (of one installation, if given)."""
    removed = []
    for schedule in await DBOS.list_schedules_async(schedule_name_prefix=prefix):
        context = schedule["context"] if isinstance(schedule["context"], dict) else {}
        if installation_id is None or context.get("installation_id") == installation_id:
            await DBOS.delete_schedule_async(schedule["schedule_name"])
            removed.append(schedule["schedule_name"])
    return removed


async def perform(sync_data: dict[str, Any]) -> dict[str, Any]:
    sync = Sync.model_validate(sync_data)
    if sync.kind == "apply":
        return await apply_repo(sync.repo, sync.installation_id)
    if sync.kind == "drop_repo":
        return {"repo": sync.repo, "removed": await drop(repo_prefix(sync.repo))}
    return {
        "installation": sync.installation_id,
        "removed": await drop(PREFIX, sync.installation_id),
    }


SCHEDULES_WORKFLOW = "baton.schedules"  # the name its rows carry in DBOS's tables


@DBOS.workflow(name=SCHEDULES_WORKFLOW)
async def sync_schedules(event_data: dict[str, Any]) -> dict[str, Any]:
    event = Event.model_validate(event_data)
    done = []
    for sync in syncs_for(event):
        options: StepOptions = {**STEP, "name": f"schedules:{sync.kind}"}
        done.append(await DBOS.run_step_async(options, perform, sync.model_dump()))
    return {"schedules": done}
