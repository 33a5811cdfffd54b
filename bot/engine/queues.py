"""The DBOS queues every Baton process listens to: how deliveries and runs are shared out."""

from __future__ import annotations

from dbos import DBOS

# A workflow started with `start_workflow` runs in the process that started it; one put on a
# queue runs in whichever process claims it first, so these two queues are what lets
# `baton worker` processes take work from `baton serve`. A dispatch starts its runs itself
# (runner.start_run_here), in the process the dispatch queue gave it to; runs started by the
# API, schedules and retries go on the runs queue.
DISPATCH_QUEUE = "baton-dispatch"
RUN_QUEUE = "baton-runs"

# A process runs at most BATON_DISPATCH_CONCURRENCY dispatches at once (default 10), so a burst
# of deliveries is spread over the processes rather than claimed whole by the first to poll,
# and so dispatch, which shares the process (its event loop, the GIL, SQLite's write lock) with
# the webhook endpoint, leaves room for the acks: at 200 deliveries a second on SQLite, 100 at
# once put the ack p99 in the hundreds of ms, 10 in the tens (benchmarks/ack.py). A burst is
# stored at once and dispatched over the next seconds. Runs have no such limit: a run parked
# on an approval for days would hold its slot all that time.


def register_queues(poll_seconds: float, dispatch_concurrency: int) -> None:
    """Declare the queues (their settings live in DBOS's tables); needs a launched DBOS."""
    DBOS.register_queue(
        DISPATCH_QUEUE,
        worker_concurrency=dispatch_concurrency,
        polling_interval_sec=poll_seconds,
    )
    DBOS.register_queue(RUN_QUEUE, polling_interval_sec=poll_seconds)
