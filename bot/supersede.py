"""A new push supersedes the runs still working on an older head of the same pull request."""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from bot.accounting import finish_run, record_run, superseded_runs
from bot.engine import runtime
from bot.engine.checkrun import check_run_name
from bot.engine.context import RunInfo
from bot.ports.github import CheckRunUpdate


def superseded_check(info: RunInfo, old_run: str, old_head: str, head: str) -> CheckRunUpdate:
    return CheckRunUpdate(
        repo=info.repo,
        name=check_run_name(info.workflow),
        head_sha=old_head,
        external_id=old_run,
        status="completed",
        conclusion="cancelled",
        title=f"Superseded by {head[:7]}",
        summary=f"The pull request moved on to {head[:7]}; this run was cancelled and posts "
        "nothing. The newest commit gets its own review.",
    )


async def register_run(run: dict[str, Any]) -> dict[str, Any] | None:
    """Record the new run and cancel the runs of this workflow on this PR whose head is no
    longer the PR's head. Returns None when the new run's own head is already stale, else the
    pull request as read now (for the run: `RunInfo.pull`), or {} when it is on none.

    The PR's head is read from GitHub, not inferred from arrival order: deliveries of a burst
    of pushes can be dispatched in any order.
    """
    info = RunInfo.model_validate(run)
    rt = runtime.current()
    if info.subject != "pull_request" or info.number is None or not info.head_sha:
        record_run(rt.store, info.run_id, info.repo, info.number, info.workflow, info.head_sha)
        return {}
    github = rt.github(info.installation_id)
    pull = await github.get_pull(info.repo, info.number)
    current = pull.head_sha
    if info.head_sha == current:
        record_run(rt.store, info.run_id, info.repo, info.number, info.workflow, info.head_sha)
    for old_run, old_head in superseded_runs(
        rt.store, info.repo, info.number, info.workflow, current
    ):
        await DBOS.cancel_workflow_async(old_run)
        finish_run(rt.store, old_run, "cancelled")
        await github.upsert_check_run(superseded_check(info, old_run, old_head, current))
    return pull.model_dump(mode="json") if info.head_sha == current else None
