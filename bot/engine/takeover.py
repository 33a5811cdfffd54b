"""Takeover: each process heartbeats, and resumes the pending runs of processes that went silent.

DBOS recovers a process's pending workflows only when a process with the same executor id
starts again (or when DBOS Conductor, a hosted service, asks). A worker that dies for good
would strand its runs, so every Baton process watches the others' heartbeats and hands the
runs of a silent one back to the queues, where any live process picks them up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from dbos import DBOS

from bot.store.executors import Executor, ExecutorIdInUse, Heartbeats

log = logging.getLogger("baton.takeover")


def beat_interval(takeover_after: float) -> float:
    """Several beats fit in the silence that counts as death, so one late beat is not death."""
    return min(takeover_after / 3, 5.0)


def resume_runs_of(dead: Executor) -> int:
    """Put the dead executor's pending workflows back on their queues; returns how many.

    DBOS re-enqueues only rows still PENDING under the dead executor's id, and a live process
    that dequeues one writes its own id on it, so asking twice resumes nothing twice; a
    workflow the dead process was in fact still running loses ownership at its next step.
    """
    return len(DBOS._recover_pending_workflows([dead.executor_id]))


def beat_since(before: Executor, now: Executor | None) -> bool:
    return (
        now is not None
        and now.incarnation == before.incarnation
        and now.last_seen > before.last_seen
    )


def refuse_a_live_duplicate(
    beats: Heartbeats, takeover_after: float, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Two live processes with one executor id would each resume the other's runs and mask
    the other's death; this refuses to start the second. A fresh row may be a crashed previous
    start of this same process, so a row that stops beating is taken over instead."""
    holder = beats.read(beats.executor_id)
    if holder is None or beats.age(holder) >= takeover_after:
        return
    sleep(beat_interval(takeover_after) * 1.5)
    if beat_since(holder, beats.read(beats.executor_id)):
        raise ExecutorIdInUse(
            f"executor id {beats.executor_id!r} is in use by another running Baton process; "
            "give each process its own BATON_EXECUTOR_ID (or `baton worker --executor-id`)"
        )


class Takeover:
    """A daemon thread: heartbeat, then resume the runs of executors silent for too long."""

    def __init__(self, beats: Heartbeats, takeover_after: float) -> None:
        self.beats = beats
        self.after = takeover_after
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="baton-takeover", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)

    def loop(self) -> None:
        while not self.stopped.wait(beat_interval(self.after)):
            try:
                self.tick()
            except Exception:  # the database may be away for a while; the next tick retries
                log.exception("heartbeat or takeover failed; retrying")

    def tick(self) -> None:
        self.keep_alive()
        for dead in self.beats.silent(self.after):
            if self.stopped.is_set() or not self.beats.claim(dead, self.after):
                continue
            resumed = resume_runs_of(dead)
            self.beats.forget(dead)
            log.warning(
                "took over executor %s (silent for over %ss): %d pending workflow(s) re-queued",
                dead.executor_id, self.after, resumed,
            )  # fmt: skip

    def keep_alive(self) -> None:
        if self.beats.beat():
            return
        holder = self.beats.read(self.beats.executor_id)
        if holder is None:  # presumed dead (the database was away?): our runs were handed on
            log.warning("executor %s was taken over; joining again", self.beats.executor_id)
            self.beats.join()
        else:
            log.error(
                "executor id %s is also used by another process; give each its own id",
                self.beats.executor_id,
            )
