"""DBOS's side of the run pages: what they ask of it, and its answers as Baton names them."""

from __future__ import annotations

import re
from typing import Any, Protocol

from dbos import StepInfo, WorkflowHandleAsync, WorkflowStatus

from bot.runs.views import Checkpoint

ATTEMPT = re.compile(r":attempt-(\d+)$")
RUN_WORKFLOW = "baton.run"  # the name `bot.engine.runner.run_workflow` is registered under


class Workflows(Protocol):
    """What the service asks of DBOS; both the `DBOS` class and a `DBOSClient` answer it."""

    async def list_workflows_async(
        self,
        *,
        workflow_ids: list[str] | None = None,
        forked_from: str | list[str] | None = None,
        workflow_id_prefix: str | list[str] | None = None,
        load_input: bool = True,
        load_output: bool = True,
    ) -> list[WorkflowStatus]: ...

    async def list_workflow_steps_async(self, workflow_id: str) -> list[StepInfo]: ...

    async def get_event_async(self, workflow_id: str, key: str, timeout_seconds: float) -> Any: ...

    async def cancel_workflow_async(self, workflow_id: str) -> None: ...

    async def fork_workflow_async(
        self,
        workflow_id: str,
        start_step: int,
        *,
        application_version: str | None = None,
        queue_name: str | None = None,
    ) -> WorkflowHandleAsync[Any]: ...


def seconds(epoch_ms: int | None) -> float | None:
    return epoch_ms / 1000 if epoch_ms is not None else None


def checkpoint(step: StepInfo) -> Checkpoint:
    return Checkpoint(
        step["function_id"],
        step["function_name"],
        str(step["error"] or ""),
        seconds(step["started_at_epoch_ms"]),
        seconds(step["completed_at_epoch_ms"]),
    )


def attempt_id(run_id: str, taken: list[str]) -> str:
    """`<first run id>:attempt-N`, N one more than any attempt so far (the first run is 1)."""
    root = ATTEMPT.sub("", run_id)
    numbers = [int(m.group(1)) for t in taken if (m := ATTEMPT.search(t))]
    return f"{root}:attempt-{max([1, *numbers]) + 1}"
