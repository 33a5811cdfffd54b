"""One run of a workflow's steps in this process, without DBOS: what `baton review` executes.

A terminal command has nothing to resume after a crash and nobody to wait for, so it needs
none of the durable engine: it builds each step's input and runs it exactly as a durable run
does (`bot.engine.steps.prepare` and `perform`), one attempt each, and stops at the first
failure. Steps that wait for a message (approvals) fail here, as they have nobody to hear from.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bot.bootstrap import llm_factory
from bot.engine import registry
from bot.engine.record import StepRecord
from bot.engine.runner import PlannedStep, RunPlan, failure_text
from bot.engine.runtime import Runtime, set_runtime
from bot.engine.steps import perform, prepare
from bot.ports.github import GitHubPort
from bot.settings import Settings
from bot.store.database import Store

# Wraps each step, e.g. in a spinner: called with the step before it starts.
AroundStep = Callable[[PlannedStep], AbstractContextManager[object]]


class StepFailure(Exception):
    """A step of the local run failed; the message names the step and says why."""

    def __init__(self, uses: str, reason: str) -> None:
        super().__init__(f"step `{uses}` failed: {reason}")
        self.uses = uses


@contextmanager
def local_runtime(settings: Settings, github: GitHubPort) -> Iterator[Runtime]:
    """The process-wide runtime steps read, with every installation served by `github` and a
    throwaway store (the ledger and last valid configs of this one run)."""
    registry.load_step_modules()
    with tempfile.TemporaryDirectory(prefix="baton-") as scratch:
        store = Store(f"sqlite:///{Path(scratch) / 'baton.sqlite'}")
        store.create_tables()
        runtime = Runtime(
            settings=settings, store=store, github=lambda _: github, llm=llm_factory(settings)
        )
        set_runtime(runtime)
        try:
            yield runtime
        finally:
            set_runtime(None)
            store.close()


def _no_wrapper(step: PlannedStep) -> AbstractContextManager[object]:
    return nullcontext()


async def run_one(plan: RunPlan, index: int, outputs: list[dict[str, Any]]) -> StepRecord:
    planned = plan.steps[index]
    run = plan.run.model_dump(mode="json")
    try:
        step_type, ctx, step_input = prepare(run, planned.as_config(), outputs)
        return StepRecord.model_validate(await perform(index, step_type, ctx, step_input))
    except Exception as exc:  # whatever a step raises is its failure, shown in one line
        raise StepFailure(planned.uses, failure_text(exc)) from exc


async def run_steps(plan: RunPlan, around: AroundStep = _no_wrapper) -> list[StepRecord]:
    """Run the plan's steps in order; a step whose output says `stop_run` ends the run."""
    records: list[StepRecord] = []
    for index, planned in enumerate(plan.steps):
        with around(planned):
            record = await run_one(plan, index, [r.output for r in records if r.output is not None])
        records.append(record)
        if (record.output or {}).get("stop_run"):
            break
    return records
