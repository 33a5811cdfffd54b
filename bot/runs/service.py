"""Runs for people: list and read them, retry, cancel, or fork them from a step — over DBOS and
Baton's `baton_runs` table, from the web process (DBOS itself) or a terminal (a DBOSClient)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dbos import SetWorkflowID, WorkflowStatus

from bot.engine import registry
from bot.engine.checkrun import check_run_update
from bot.engine.claim import CLAIMS
from bot.engine.forks import step_start
from bot.engine.queues import RUN_QUEUE
from bot.engine.record import RunRecord
from bot.engine.runner import RUN_EVENT
from bot.ports.github import GitHubError, GitHubPort
from bot.runs import query
from bot.runs.query import RunFilter
from bot.runs.views import Attempt, RunDetail, RunList, run_status
from bot.runs.workflows import ATTEMPT, RUN_WORKFLOW, Workflows, attempt_id, checkpoint, seconds
from bot.store.database import Store
from bot.store.run_book import finish_run, record_run

log = logging.getLogger("baton.runs")


class RunNotFound(LookupError):
    """No run has this id."""


class RunActionRefused(ValueError):
    """The run is not in a state that allows this; the message says why and what is possible."""


class RunService:
    def __init__(
        self,
        workflows: Workflows,
        store: Store,
        application_version: str,
        public_url: str,
        github: Callable[[int], GitHubPort] | None = None,
    ) -> None:
        self.workflows, self.store, self.github = workflows, store, github
        self.application_version, self.public_url = application_version, public_url.rstrip("/")

    async def find(self, wanted: RunFilter, page: int = 1, per_page: int = 25) -> RunList:
        rows, total = query.list_runs(self.store, wanted, per_page, (page - 1) * per_page)
        engine = await self._statuses([r.run_id for r in rows])
        shown = [(r, run_status(None, r.status, engine.get(r.run_id))) for r in rows]
        return RunList(shown, total, page, per_page)

    def choices(self) -> tuple[list[str], list[str]]:
        """The repositories and workflows that have runs, for the list's filters."""
        return query.names(self.store)

    async def _statuses(self, run_ids: list[str]) -> dict[str, str]:
        if not run_ids:
            return {}
        found = await self.workflows.list_workflows_async(
            workflow_ids=run_ids, load_input=False, load_output=False
        )
        return {s.workflow_id: s.status for s in found}

    async def get(self, run_id: str) -> RunDetail:
        row = query.get_run(self.store, run_id)
        listed = await self.workflows.list_workflows_async(
            workflow_ids=[run_id], load_input=False, load_output=True
        )
        found = [s for s in listed if s.name == RUN_WORKFLOW]  # not a delivery's dispatch
        if row is None and not found:
            raise RunNotFound(f"no run {run_id!r}")
        record = await self._record(run_id)
        detail = RunDetail(run_id, row, record, None, created_at=row.created_at if row else None)
        if found:
            await self._add_engine_view(detail, found[0])
        return detail

    async def _record(self, run_id: str) -> RunRecord | None:
        """The record the run published last (after its latest step), if any yet."""
        published = await self.workflows.get_event_async(run_id, RUN_EVENT, 0)
        return RunRecord.model_validate(published) if published else None

    async def _add_engine_view(self, detail: RunDetail, status: WorkflowStatus) -> None:
        detail.engine_status = status.status
        detail.created_at = seconds(status.created_at) or detail.created_at
        detail.completed_at = seconds(status.completed_at)
        detail.engine_error = str(status.error) if status.error else ""
        detail.recovery_attempts = status.recovery_attempts or 0
        detail.forked_from = status.forked_from
        forks = await self.workflows.list_workflows_async(
            forked_from=detail.run_id, load_input=False, load_output=False
        )
        detail.attempts = [Attempt(f.workflow_id, run_status(None, None, f.status)) for f in forks]
        steps = await self.workflows.list_workflow_steps_async(detail.run_id)
        detail.checkpoints = [checkpoint(s) for s in steps]
        lineage = [detail.run_id, *([status.forked_from] if status.forked_from else [])]
        detail.costs = query.step_costs(self.store, lineage)
        if status.forked_from:
            origin = await self._record(status.forked_from)
            began = [(step.index, step.started_at) for step in (origin.steps if origin else [])]
            detail.forked_steps = {index: at for index, at in began if at is not None}

    async def retry(self, run_id: str) -> str:
        """A new attempt from the first step that did not succeed; earlier steps are reused."""
        detail = await self.get(run_id)
        if detail.retry_in_progress:
            raise RunActionRefused(f"run {run_id} is being retried as {detail.retry_in_progress}")
        if not detail.can_retry or detail.first_unfinished is None:
            raise RunActionRefused(
                f"run {run_id} is {detail.status}: only failed or cancelled runs can be retried"
            )
        return await self._fork(detail, detail.first_unfinished)

    async def fork(self, run_id: str, index: int) -> str:
        """A new run that reuses steps 0..index-1 of this one and does step `index` onwards."""
        detail = await self.get(run_id)
        if index not in detail.forkable_steps:
            allowed = ", ".join(map(str, detail.forkable_steps)) or "none while it runs"
            raise RunActionRefused(
                f"run {run_id} cannot be forked from step {index} (steps allowed: {allowed})"
            )
        return await self._fork(detail, index)

    async def _fork(self, detail: RunDetail, index: int) -> str:
        start = step_start([(c.function_id, c.name) for c in detail.checkpoints], index)
        if start is None or detail.record is None:
            raise RunActionRefused(f"step {index} of run {detail.run_id} never started")
        root = ATTEMPT.sub("", detail.run_id)
        taken = await self.workflows.list_workflows_async(
            workflow_id_prefix=f"{root}:attempt-", load_input=False, load_output=False
        )
        new_id = attempt_id(detail.run_id, [t.workflow_id for t in taken])
        run = detail.record.run  # listed before it starts, so it shows at once and finishes there
        record_run(self.store, new_id, run.repo, run.number, run.workflow, run.head_sha)
        try:
            with SetWorkflowID(new_id):
                handle = await self.workflows.fork_workflow_async(
                    detail.run_id,
                    start,
                    application_version=self.application_version,
                    queue_name=RUN_QUEUE,
                )
        except Exception:
            query.forget_run(self.store, new_id)
            raise
        CLAIMS.soon(RUN_QUEUE)  # started here now if this process may, not at the next poll
        return handle.workflow_id

    async def cancel(self, run_id: str) -> None:
        """Stop a queued, running or waiting run; its check run says it was cancelled."""
        detail = await self.get(run_id)
        if not detail.can_cancel:
            raise RunActionRefused(f"run {run_id} is {detail.status}: there is nothing to cancel")
        await self.workflows.cancel_workflow_async(run_id)
        finish_run(self.store, run_id, "cancelled")
        if detail.record is not None and self.github is not None:
            await self._show_cancelled(self.github, detail.record)

    async def _show_cancelled(self, github: Callable[[int], GitHubPort], record: RunRecord) -> None:
        shown = record.model_copy(
            update={"status": "cancelled", "headline": "Cancelled by an operator"}
        )
        update = check_run_update(shown, f"{self.public_url}/runs/{record.run.run_id}")
        port = github(record.run.installation_id)
        try:
            await port.upsert_check_run(update)
        except GitHubError as exc:  # the run is cancelled; only GitHub's display of it lags
            log.warning("check run of cancelled run %s not updated: %s", record.run.run_id, exc)
        # A step waiting for people (an approval) says on GitHub that it no longer waits.
        for uses in dict.fromkeys(step.uses for step in record.steps):
            known = registry.registered().get(uses)
            on_cancel = None if known is None else known.on_cancel
            if on_cancel is None:
                continue
            try:
                await on_cancel(record.run, port)
            except GitHubError as exc:
                log.warning("%s of cancelled run %s not updated: %s", uses, record.run.run_id, exc)
