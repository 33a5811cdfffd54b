"""A new push supersedes the runs still working on an older head of the same pull request."""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from bot.engine import runtime
from bot.engine.checkrun import check_run_name
from bot.engine.context import RunInfo
from bot.ports.github import CheckRunUpdate, PullRequest
from bot.runs.query import forget_run
from bot.store.database import Store
from bot.store.run_book import (
    others_recorded,
    others_running,
    owed,
    record_run,
    settle_owed,
    stop_running,
    superseded_runs,
)


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


# Deliveries after which a PR is looked at for the first time, or again after a pause.
FIRST_LOOKS = frozenset(
    {"pull_request.opened", "pull_request.reopened", "pull_request.ready_for_review"}
)


def delivered_pull(info: RunInfo, store: Store) -> PullRequest | None:
    """The pull a pull_request delivery carried, when no other run of this workflow on this PR
    is unfinished; else None, and the pull is read from GitHub.

    With no other run there is nothing to cancel. Each run is recorded before this is asked,
    so of two dispatched at once at least one sees the other and reads GitHub. A PR that had a
    run for another head (even a finished one) is read too: the delivery may be a late one for
    an older head, and `review.publish` no longer reads the head again before posting.

    Only for the PR's first look (`FIRST_LOOKS`): a push (`synchronize`) comes in bursts, and
    its runs race each other's check runs; those always read GitHub, whose head settles it.
    """
    pull = info.pull
    if info.trigger not in FIRST_LOOKS or pull is None or info.number is None:
        return None
    if pull.number != info.number or pull.head_sha != info.head_sha:
        return None
    if others_running(store, info.repo, info.number, info.workflow, info.run_id):
        return None
    # A run for another head, even finished: this delivery may be late, its head old.
    if others_recorded(store, info.repo, info.number, info.workflow, info.head_sha):
        return None
    return pull


async def register_run(run: dict[str, Any]) -> dict[str, Any] | None:
    """Record the new run and cancel the runs of this workflow on this PR whose head is no
    longer the PR's head. Returns None when the new run's own head is already stale, else the
    pull request as read now (for the run: `RunInfo.pull`), or {} when it is on none.

    The PR's head is read from GitHub, not inferred from arrival order: deliveries of a burst
    of pushes can be dispatched in any order. Unless there is nothing to supersede (see
    `delivered_pull`): then the pull the delivery carried is used, one read fewer.
    """
    info = RunInfo.model_validate(run)
    rt = runtime.current()
    record_run(rt.store, info.run_id, info.repo, info.number, info.workflow, info.head_sha)
    if info.subject != "pull_request" or info.number is None or not info.head_sha:
        return {}
    delivered = delivered_pull(info, rt.store)
    if delivered is not None:
        return delivered.model_dump(mode="json")
    github = rt.github(info.installation_id)
    pull = info.pull
    if not info.pull_read or pull is None or pull.number != info.number:
        pull = await github.get_pull(info.repo, info.number)
    if info.head_sha != pull.head_sha:
        forget_run(rt.store, info.run_id)  # never started
    for old_run, old_head in superseded_runs(
        rt.store, info.repo, info.number, info.workflow, pull.head_sha
    ):
        await DBOS.cancel_workflow_async(old_run)
        # Only the dispatch that stops a run (not another one racing it) owes its check run.
        stop_running(rt.store, old_run, "cancelled", owed_by=info.run_id, head_sha=old_head)
    # Owed until written: when a write fails, this step runs again and writes what is left.
    for old_run, old_head in owed(rt.store, info.run_id):
        await github.upsert_check_run(superseded_check(info, old_run, old_head, pull.head_sha))
        settle_owed(rt.store, old_run)
    return pull.model_dump(mode="json") if info.head_sha == pull.head_sha else None
