"""The DBOS queues every Baton process listens to: how deliveries and runs are shared out."""

from __future__ import annotations

from dbos import DBOS

# A workflow started with `start_workflow` runs in the process that started it; one put on a
# queue runs in whichever process claims it first, so these two queues are what lets
# `baton worker` processes take work from `baton serve`.
DISPATCH_QUEUE = "baton-dispatch"
RUN_QUEUE = "baton-runs"

# A process runs at most this many dispatches at once, so a burst of deliveries is spread over
# the processes rather than claimed whole by the first to poll. Dispatch is short (a few GitHub
# reads), so this still lets one process dispatch hundreds of deliveries a second. Runs have no
# such limit: a run parked on an approval for days would hold its slot all that time.
DISPATCHES_PER_PROCESS = 100


def register_queues(poll_seconds: float) -> None:
    """Declare the queues (their settings live in DBOS's tables); needs a launched DBOS."""
    DBOS.register_queue(
        DISPATCH_QUEUE,
        worker_concurrency=DISPATCHES_PER_PROCESS,
        polling_interval_sec=poll_seconds,
    )
    DBOS.register_queue(RUN_QUEUE, polling_interval_sec=poll_seconds)
