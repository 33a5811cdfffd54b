"""One run as pages and the CLI show it: its record, its DBOS state, costs, what may be done."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.findings import Approval, Link, approvals, github_links
from bot.engine.record import RunRecord, StepRecord
from bot.runs.query import RunRow, StepCost

ACTIVE = ("PENDING", "ENQUEUED", "DELAYED")  # DBOS statuses of a run not yet over
STATUSES = ("queued", "running", "succeeded", "neutral", "failed", "timed_out", "cancelled")


def run_status(record_status: str | None, row_status: str | None, engine: str | None) -> str:
    """The status to show: DBOS knows of cancels and crashes the record could not publish."""
    if engine == "CANCELLED":
        return "cancelled"
    if engine in ("ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"):
        return "failed"
    if engine in ("ENQUEUED", "DELAYED") and record_status in (None, "running"):
        return "queued"
    return record_status or row_status or "unknown"


@dataclass(frozen=True)
class RunList:
    rows: list[tuple[RunRow, str]]  # each row with the status to show
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Checkpoint:
    """One DBOS function of the run: steps, their retries' sleeps, events, messages."""

    function_id: int
    name: str
    error: str
    started_at: float | None
    finished_at: float | None


@dataclass(frozen=True)
class Attempt:
    run_id: str
    status: str


@dataclass
class RunDetail:
    run_id: str
    row: RunRow | None
    record: RunRecord | None
    engine_status: str | None
    created_at: float | None = None
    completed_at: float | None = None
    engine_error: str = ""
    recovery_attempts: int = 0
    forked_from: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    costs: dict[int, StepCost] = field(default_factory=dict)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    forked_steps: dict[int, float] = field(default_factory=dict)  # when its origin's steps began

    @property
    def status(self) -> str:
        record = self.record.status if self.record else None
        return run_status(record, self.row.status if self.row else None, self.engine_status)

    @property
    def steps(self) -> list[StepRecord]:
        return self.record.steps if self.record else []

    def reused(self, step: StepRecord) -> bool:
        """Whether a fork took this step's result over from the run it was forked from (the
        same step, begun at the same moment)."""
        began = step.started_at
        return began is not None and self.forked_steps.get(step.index) == began

    @property
    def duration(self) -> float | None:
        if self.created_at is None:
            return None
        return (self.completed_at or self.created_at) - self.created_at

    @property
    def tokens(self) -> int:
        return self.record.usage.total if self.record else 0

    @property
    def cost_usd(self) -> float | None:
        known = [c.cost_usd for c in self.costs.values() if c.cost_usd is not None]
        return sum(known) if known else None

    @property
    def links(self) -> list[Link]:
        return github_links(self.record) if self.record else []

    @property
    def approvals(self) -> list[Approval]:
        return approvals(self.record) if self.record else []

    @property
    def active(self) -> bool:
        return self.engine_status in ACTIVE

    @property
    def retry_in_progress(self) -> str | None:
        return next((a.run_id for a in self.attempts if a.status in ("queued", "running")), None)

    @property
    def first_unfinished(self) -> int | None:
        """The first step that did not succeed: where a retry starts."""
        return next((s.index for s in self.steps if s.status != "succeeded"), None)

    @property
    def can_retry(self) -> bool:
        return (
            self.status in ("failed", "cancelled")
            and not self.active
            and self.first_unfinished is not None
            and self.retry_in_progress is None
        )

    @property
    def can_cancel(self) -> bool:
        return self.active

    @property
    def forkable_steps(self) -> list[int]:
        """Steps a finished run can be forked from: any step up to the first that did not
        succeed (the steps before the fork point must have their outputs)."""
        if self.active or not self.steps:
            return []
        last = self.first_unfinished
        return [s.index for s in self.steps if last is None or s.index <= last]
