"""What a run amounts to for callers outside GitHub: its status, outputs and links.

The HTTP API answers with it and result deliveries POST it, so both say the same thing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.engine.findings import github_links, is_web_url
from bot.engine.record import RunRecord, RunStatus, StepStatus

FINISHED: frozenset[str] = frozenset({"succeeded", "neutral", "failed", "timed_out", "cancelled"})


class Link(BaseModel):
    """A page the run made or shows itself on."""

    name: str = Field(
        description="What it is: `run` (Baton's page), `check run`, or the step and output "
        "field it came from."
    )
    url: str


class StepSummary(BaseModel):
    index: int
    uses: str = Field(description="The step type, e.g. `review.llm`.")
    status: StepStatus
    error: str | None = None


class RunFacts(BaseModel):
    id: str = Field(description="The run id.")
    workflow: str
    repo: str
    trigger: str = Field(description='What started it: `api`, `schedule:"CRON"`, an event...')
    subject: str = Field(description="`pull_request`, `issue` or `none`.")
    number: int | None = Field(None, description="The pull request's or issue's number.")
    headline: str = Field("", description="The run's one-line outcome, from its last step.")
    outputs: dict[str, Any] = Field(
        default_factory=dict,
        description="The output of the last step that ran: the workflow's result "
        "(each step's own output is on the run's page).",
    )
    links: list[Link] = []
    steps: list[StepSummary] = []


class RunResult(RunFacts):
    """A run as its record stands (the body of a result delivery)."""

    status: RunStatus


class DeliveryOutcome(BaseModel):
    """How sending the run's result to the workflow's `deliver.webhook` went."""

    delivery_id: str = Field(description="`X-Baton-Delivery`: the same on every attempt.")
    url: str
    status: Literal["pending", "delivered", "failed"]
    response_status: int | None = Field(None, description="The receiver's last answer.")
    error: str | None = None


def result_of(record: RunRecord) -> RunResult:
    run = record.run
    outputs = record.outputs()
    return RunResult(
        id=run.run_id,
        workflow=run.workflow,
        repo=run.repo,
        trigger=run.trigger,
        subject=run.subject,
        number=run.number,
        status=record.status,
        headline=record.headline,
        outputs=outputs[-1] if outputs else {},
        links=links_of(record),
        steps=[
            StepSummary(index=s.index, uses=s.uses, status=s.status, error=s.error)
            for s in record.steps
        ],
    )


def links_of(record: RunRecord) -> list[Link]:
    """The run's page, then its check run and what its steps made (as its page lists them)."""
    page = [Link(name="run", url=record.run.run_url)] if is_web_url(record.run.run_url) else []
    return page + [Link(name=found.label, url=found.url) for found in github_links(record)]
