"""Runs forked from another run (retry, fork from a step): their own id, and where to fork.

DBOS's `fork_workflow` starts a new workflow with the original's input, so a fork's plan still
names the original run; the run adopts its DBOS workflow id, so that its check run, ledger rows,
approval comment and page are its own. Functions before the fork point are copied from the
original with their results, so the steps before it are not done again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.context import RunInfo

# `runner.show_progress` ends with this DBOS function; the run shows its progress once before
# its first step and once after each step but the last, so step N starts after the (N+1)-th.
PUBLISHED = "DBOS.setEvent"


def own_run(run: RunInfo, workflow_id: str | None) -> RunInfo:
    """The run's facts under its own workflow id (unchanged unless it is a fork)."""
    if not workflow_id or workflow_id == run.run_id:
        return run
    url = run.run_url
    if url.endswith(run.run_id):
        url = url[: -len(run.run_id)] + workflow_id
    return run.model_copy(update={"run_id": workflow_id, "run_url": url})


def step_start(functions: Sequence[tuple[int, str]], index: int) -> int | None:
    """The DBOS function id at which step `index` of a run began, or None if it never began.

    `functions` are the run's (function id, function name) in order, as DBOS lists them.
    Step 0 forks from the very start (function 1): the budget gate and the debounce wait are
    done again too, as for a fresh run.
    """
    if index == 0:
        return 1
    published = [fid for fid, name in functions if name == PUBLISHED]
    if len(published) <= index:
        return None
    start = published[index] + 1
    return start if any(fid >= start for fid, _ in functions) else None
