"""The HTTP API's requests and answers (`/api/runs`), shared by the server and `baton run`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    model_validator,
)

from bot.config.model import WORKFLOW_NAME
from bot.engine.result import DeliveryOutcome, RunFacts

REPO_NAME = r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$"
INPUT_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
# Becomes part of the run id, which appears in URLs: no "/", "?", "#" or "%".
IDEMPOTENCY_KEY = r"^[A-Za-z0-9._~:+=-]{1,200}$"
ApiStatus = Literal["queued", "running", "succeeded", "neutral", "failed", "timed_out", "cancelled"]

# NaN and infinities are no number a step can use, and JSON cannot carry them back out.
FiniteFloat = Annotated[StrictFloat, Field(allow_inf_nan=False)]
InputValue = StrictBool | StrictInt | FiniteFloat | Annotated[str, Field(max_length=10_000)]
Inputs = Annotated[
    dict[Annotated[str, StringConstraints(pattern=INPUT_NAME)], InputValue],
    Field(
        max_length=50,
        description="Named values for the run's steps (text, numbers, true/false); a step "
        "reads them by declaring an `inputs` field.",
    ),
]


class Subject(BaseModel):
    """The issue or pull request the run works on: exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    issue: int | None = Field(None, gt=0, description="An issue's number.")
    pull: int | None = Field(None, gt=0, description="A pull request's number (its head is used).")

    @model_validator(mode="after")
    def _exactly_one(self) -> Subject:
        if (self.issue is None) == (self.pull is None):
            raise ValueError('give exactly one of {"issue": N} or {"pull": N}')
        return self


class RunRequest(BaseModel):
    """Start `workflow` of `repo`, whose config (default branch) must list `api` in its `on:`."""

    model_config = ConfigDict(extra="forbid")

    repo: Annotated[str, StringConstraints(pattern=REPO_NAME)] = Field(
        description="owner/name", examples=["octo/demo"]
    )
    workflow: Annotated[str, StringConstraints(pattern=WORKFLOW_NAME)] = Field(
        examples=["weekly-triage"]
    )
    subject: Subject | None = None
    inputs: Inputs = {}


class RunAccepted(BaseModel):
    id: str = Field(description="The run id; the same for a retried request with its key.")
    status: ApiStatus
    url: str = Field(description="Where to poll the run (`GET /api/runs/{id}`).")
    page: str = Field(description="The run's page, for people.")


class RunView(RunFacts):
    """A run as it stands: poll until `finished`."""

    status: ApiStatus
    finished: bool = Field(description="True once `status` will not change any more.")
    delivery: DeliveryOutcome | None = Field(
        None, description="The result delivery, when the workflow has `deliver.webhook`."
    )
    page: str = Field("", description="The run's page, for people.")


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str
