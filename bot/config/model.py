"""The typed shape of `.github/baton.yml`, its triggers, and its JSON Schema for editors."""

from __future__ import annotations

import difflib
import re
from functools import cached_property
from typing import Annotated, Any, Literal

import pathspec
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from bot.config.cron import cron_is_valid
from bot.ports.roles import Role

WORKFLOW_NAME = r"^[a-z0-9][a-z0-9_-]*$"
PROMPT_NAME = r"^[a-z0-9][a-z0-9_.-]*$"
COMMAND = r"^/[a-z][a-z0-9_-]*$"
LABELED = "labeled"

# The webhook actions a workflow may start on; `labeled` takes the label after a colon.
EVENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "pull_request": ("opened", "synchronize", "ready_for_review", "reopened", LABELED),
    "issues": ("opened", LABELED),
}
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,-]+$")


def _allowed_forms() -> str:
    events = [
        f"{event}.{action}" + (":LABEL" if action == LABELED else "")
        for event, actions in EVENT_ACTIONS.items()
        for action in actions
    ]
    return ", ".join([*events, "/COMMAND", 'schedule:"CRON"', "api"])


class Trigger(BaseModel):
    """One thing that starts a workflow; written in the file as text such as `/review`."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["event", "command", "schedule", "api"]
    event: str = ""  # webhook event name: pull_request, issues
    action: str = ""
    label: str = ""  # for `labeled` actions
    command: str = ""  # without the slash
    cron: str = ""

    def __str__(self) -> str:
        if self.kind == "event":
            return f"{self.event}.{self.action}" + (f":{self.label}" if self.label else "")
        if self.kind == "command":
            return f"/{self.command}"
        if self.kind == "schedule":
            return f'schedule:"{self.cron}"'
        return "api"

    @classmethod
    def parse(cls, value: object) -> Trigger:
        """Read a trigger as written in the file; raises ValueError saying what is allowed."""
        if isinstance(value, Trigger):
            return value
        # In a YAML flow sequence, `schedule: "0 9 * * 1"` (with a space) is a one-key mapping.
        if isinstance(value, dict) and list(value) == ["schedule"]:
            return _schedule(value["schedule"])
        if not isinstance(value, str):
            raise ValueError(f"a trigger is text, one of: {_allowed_forms()}")
        text = value.strip()
        if text == "api":
            return cls(kind="api")
        if text.startswith("/"):
            if not re.match(COMMAND, text):
                raise ValueError(f"`{text}` is not a command: write `/` then a lowercase name")
            return cls(kind="command", command=text[1:])
        if text.startswith("schedule:"):
            return _schedule(text.removeprefix("schedule:"))
        return _event(text)


def _schedule(cron: object) -> Trigger:
    text = str(cron).strip().strip("\"'").strip()
    fields = text.split()
    # Five fields as in crontab; a sixth, first, field gives seconds (as DBOS reads crons).
    if len(fields) not in (5, 6) or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(
            f'`{text}` is not a cron schedule: give five fields, e.g. schedule:"0 9 * * 1"'
            " (or six, seconds first)"
        )
    if not cron_is_valid(" ".join(fields)):
        raise ValueError(f"`{text}` is not a cron schedule: a field is out of range")
    return Trigger(kind="schedule", cron=" ".join(fields))


def _event(text: str) -> Trigger:
    name, has_label, label = text.partition(":")
    event, _, action = name.partition(".")
    if action not in EVENT_ACTIONS.get(event, ()):
        known = [
            f"{event}.{action}" for event, actions in EVENT_ACTIONS.items() for action in actions
        ]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed: {_allowed_forms()}"
        raise ValueError(f"unknown trigger `{text}` ({hint})")
    label = label.strip()
    if action == LABELED and not label:
        raise ValueError(f"`{text}` needs the label's name: `{event}.{LABELED}:LABEL`")
    if action != LABELED and has_label:
        raise ValueError(f"`{text}`: only `{LABELED}` triggers take a `:LABEL`")
    return Trigger(kind="event", event=event, action=action, label=label)


_TRIGGER_SCHEMA: dict[str, Any] = {
    "description": f"What starts the workflow. One of: {_allowed_forms()}.",
    "anyOf": [
        {
            "type": "string",
            "description": "A GitHub event, as `event.action` (`labeled` takes `:LABEL`).",
            "pattern": r"^(pull_request\.(opened|synchronize|ready_for_review|reopened)"
            r"|issues\.opened|(pull_request|issues)\.labeled:.+)$",
        },
        {"type": "string", "description": "A slash-command in a comment.", "pattern": COMMAND},
        {
            "type": "string",
            "description": 'A cron schedule (UTC), e.g. schedule:"0 9 * * 1"; a sixth '
            "field, first, gives seconds.",
            "pattern": r"^schedule:\s*[\"']?[^\"']+[\"']?$",
        },
        {
            "type": "object",
            "description": "A cron schedule written as a mapping.",
            "properties": {"schedule": {"type": "string"}},
            "required": ["schedule"],
            "additionalProperties": False,
        },
        {"const": "api", "description": "Started through Baton's HTTP API."},
    ],
}
TriggerField = Annotated[
    Trigger,
    BeforeValidator(Trigger.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_TRIGGER_SCHEMA),
]


# pathspec matches with regular expressions that backtrack: each `*` in one path segment
# multiplies the work by the segment's length, so three of them against a 255-character file
# name take a third of a second per file, and a config could stall dispatch for everyone.
MAX_STARS_PER_SEGMENT = 2


def _check_glob(pattern: str) -> str:
    if any(part.count("*") > MAX_STARS_PER_SEGMENT for part in pattern.split("/") if part != "**"):
        raise ValueError(
            f"`{pattern}` has more than {MAX_STARS_PER_SEGMENT} `*` in one path segment; "
            "split it into several patterns"
        )
    try:
        compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns
    except ValueError as error:
        raise ValueError(f"`{pattern}` is not a valid gitignore-style pattern") from error
    if not compiled or compiled[0].include is None:
        raise ValueError(f"`{pattern}` matches nothing (gitignore reads it as a comment)")
    return pattern


Glob = Annotated[str, StringConstraints(min_length=1), AfterValidator(_check_glob)]


class Paths(BaseModel):
    """Which changed files a workflow looks at, as gitignore-style patterns."""

    model_config = ConfigDict(extra="forbid", strict=True)

    include: list[Glob] = Field(["**"], description="Files to look at (default: all).")
    exclude: list[Glob] = Field([], description="Files to skip, even when included.")

    @cached_property
    def _specs(self) -> tuple[pathspec.GitIgnoreSpec, pathspec.GitIgnoreSpec]:
        return pathspec.GitIgnoreSpec.from_lines(self.include), pathspec.GitIgnoreSpec.from_lines(
            self.exclude
        )

    def selects(self, path: str) -> bool:
        include, exclude = self._specs
        return include.match_file(path) and not exclude.match_file(path)


class StepConfig(BaseModel):
    """One step of a workflow: a registered step type and the inputs given to it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)

    uses: str = Field(min_length=1, description="The step type, e.g. `review.llm`.")
    prompt: Annotated[str, StringConstraints(pattern=PROMPT_NAME)] | None = Field(
        None,
        description="Prompt name: `.github/baton/prompts/NAME.md` in the repository, "
        "else Baton's built-in prompt NAME.",
    )
    with_: dict[str, Any] = Field(
        default_factory=dict, alias="with", description="Inputs for the step type."
    )


class Deliver(BaseModel):
    """Where a run's result is sent when the run ends."""

    model_config = ConfigDict(extra="forbid", strict=True)

    webhook: HttpUrl = Field(
        description="A URL that receives the result as a signed JSON POST "
        "(`X-Baton-Signature-256`, HMAC-SHA256 of the body, like GitHub's webhooks)."
    )


class Workflow(BaseModel):
    """A named list of steps and the triggers that start it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    description: str = Field("", description="What the workflow is for.")
    on: list[TriggerField] = Field(min_length=1, description="What starts the workflow.")
    paths: Paths = Field(default_factory=Paths, description="Which changed files it looks at.")
    drafts: bool = Field(False, description="Also run on draft pull requests.")
    steps: list[StepConfig] = Field(min_length=1, description="The steps, run in order.")
    deliver: Deliver | None = Field(None, description="Send the run's result when it ends.")

    @model_validator(mode="before")
    @classmethod
    def _on_read_as_true(cls, data: Any) -> Any:
        # A YAML 1.1 reader (PyYAML, some editors) turns the key `on` into the boolean true.
        if isinstance(data, dict) and True in data and "on" not in data:
            return {("on" if key is True else key): value for key, value in data.items()}
        return data


UNLIMITED = "unlimited"
# A cap as written: a positive number of tokens, or `unlimited` (not `~`, which in a file that
# `extends` another means "the default", so that a cap can never be dropped by accident).
Cap = Annotated[int, Field(gt=0)] | Literal["unlimited"]


class Budget(BaseModel):
    """Token caps, on by default; a capped run finishes with what it has and says it is partial."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tokens_per_run: Cap = Field(200_000, description="Cap for one run (`unlimited`: none).")
    tokens_per_pr: Cap = Field(
        1_000_000, description="Cap over all runs on one PR (`unlimited`: none)."
    )
    tokens_per_repo_per_day: Cap = Field(
        5_000_000,
        description="Cap over one repository's runs in the last 24 hours (`unlimited`: none).",
    )

    def caps(self) -> dict[str, int | None]:
        """The caps as the engine reads them: None where there is none."""
        return {name: None if cap == UNLIMITED else cap for name, cap in self.model_dump().items()}


class Price(BaseModel):
    """The model's price, so the ledger can show cost beside tokens."""

    model_config = ConfigDict(extra="forbid")

    input_per_mtok: float = Field(ge=0, description="USD per million input tokens.")
    output_per_mtok: float = Field(ge=0, description="USD per million output tokens.")


class LLMConfig(BaseModel):
    """Which model the LLM steps call."""

    model_config = ConfigDict(extra="forbid", strict=True)

    provider: Literal["openai", "anthropic"] = Field("openai", description="The LLM provider.")
    model: str = Field("gpt-4.1-mini", min_length=1, description="The provider's model name.")
    budget: Budget = Field(default_factory=Budget, description="Token caps.")
    price: Price | None = Field(None, description="The model's price, for costs in the ledger.")


class Commands(BaseModel):
    """Who may run slash-commands."""

    model_config = ConfigDict(extra="forbid", strict=True)

    allowed: Role = Field("write", description="The least repository role that may run them.")


WorkflowName = Annotated[str, StringConstraints(pattern=WORKFLOW_NAME)]


class BatonConfig(BaseModel):
    """Baton's configuration for one repository: `.github/baton.yml`."""

    model_config = ConfigDict(extra="forbid", title="Baton configuration (.github/baton.yml)")

    version: Literal[1] = Field(description="The file format's version: 1.")
    extends: str | None = Field(
        None, description="A repository (e.g. `my-org/.github`) whose file is merged under this."
    )
    llm: LLMConfig = Field(default_factory=LLMConfig, description="The LLM steps' model.")
    commands: Commands = Field(default_factory=Commands, description="Slash-command access.")
    workflows: dict[WorkflowName, Workflow] = Field(
        default_factory=dict,
        description="Workflows by name (lowercase, digits, `-`, `_`).",
        json_schema_extra={"additionalProperties": False},  # names must match the pattern
    )


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the file, with help text for editors."""
    schema = BatonConfig.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
