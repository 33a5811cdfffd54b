"""What a step receives besides its typed input: facts about its run, and the ports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from bot.ports.github import GitHubPort, PullRequest
from bot.ports.llm import LLMPort, Message, Usage
from bot.prompts.rendered import PromptSource, PromptUse, RenderedPrompt

Answer = TypeVar("Answer", bound=BaseModel)
APPROVAL_TOPIC = "approval"  # the messages a waiting approval receives


class RunInfo(BaseModel):
    """Facts fixed when a run starts; also available to steps' inputs by field name."""

    run_id: str
    workflow: str
    delivery_id: str
    trigger: str  # e.g. "pull_request.opened", "/review"
    repo: str
    installation_id: int
    default_branch: str
    config_sha: str  # commit of .github/baton.yml that configured this run ("" for defaults)
    subject: str = "none"  # pull_request | issue | none
    number: int | None = None
    head_sha: str = ""
    sender: str = ""
    llm_provider: str = "openai"
    llm_model: str = ""
    paths_include: list[str] = ["**"]  # the workflow's `paths`, gitignore-style globs
    paths_exclude: list[str] = []
    run_url: str = ""  # the run's page, linked from its check run
    budget: dict[str, int | None] = {}  # llm.budget: tokens_per_run, _per_pr, _per_repo_per_day
    price: dict[str, float] | None = None  # llm.price, for costs in the ledger
    # Named values given by whoever started the run through the API (`POST /api/runs`); a
    # step gets them by declaring an `inputs` field.
    inputs: dict[str, str | int | float | bool] = {}
    deliver_to: str = ""  # the workflow's `deliver.webhook`: the result is POSTed there at the end
    commands: list[str] = []  # the workflow's slash-commands (`/review`), as its config names them
    # The pull request as dispatch read it when the run started, so `pr.diff` need not
    # read it again; None when the run is on none (or was started otherwise).
    pull: PullRequest | None = None
    pull_read: bool = False  # `pull` was read from GitHub by the dispatch, not delivered


class StepFailed(Exception):
    """A step cannot succeed, whatever the retries; the message is shown to users as is."""


class BudgetReached(StepFailed):
    """A model call would exceed `llm.budget`; steps that can, stop early and say "partial"."""


class _NoPrompts:
    async def render(self, name: str, variables: dict[str, Any]) -> RenderedPrompt:
        raise StepFailed(f"prompt {name!r} asked for before the run's prompts were set up")


class Durability(Protocol):
    """What a control step (one that waits) may ask of the durable engine."""

    async def checkpoint(self, name: str, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """Run `func(*args)` once; after a restart its recorded result is returned instead."""
        ...

    async def receive(self, topic: str, timeout_seconds: float) -> Any:
        """The next message sent to this run on `topic`, or None when the timeout passes."""
        ...


class _Immediate:
    """Outside a durable run (plain steps, tests): call at once, and nothing ever arrives."""

    async def checkpoint(self, name: str, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return await func(*args)

    async def receive(self, topic: str, timeout_seconds: float) -> Any:
        raise StepFailed("only a control step of a durable run can wait for a message")


class StepTelemetry(BaseModel):
    prompts: list[PromptUse] = []
    model: str = ""
    usage: Usage = Usage()
    llm_calls: int = 0


def _never_cancelled() -> bool:
    return False


@dataclass
class StepContext:
    run: RunInfo
    github: GitHubPort
    llm: LLMPort
    prompts: PromptSource = field(default_factory=_NoPrompts)
    prompt: str | None = None  # the step's `prompt:` from the config, if any
    telemetry: StepTelemetry = field(default_factory=StepTelemetry)
    durability: Durability = field(default_factory=_Immediate)
    tokens_left: int | None = None  # under `llm.budget` when the step started; None: no cap
    # Whether the run has been cancelled since it started: superseded by a newer push (whose
    # dispatch read the PR's head from GitHub) or by an operator. Asked before a write that
    # would be wrong for a head that is no longer current.
    cancelled: Callable[[], bool] = _never_cancelled

    def can_spend(self, tokens: int) -> bool:
        """Whether `tokens` more fit the budget, counting what this step spent already."""
        if self.tokens_left is None:
            return True
        return self.telemetry.usage.total + tokens <= self.tokens_left

    async def checkpoint(self, name: str, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return await self.durability.checkpoint(name, func, *args)

    async def receive(self, topic: str, timeout_seconds: float) -> Any:
        return await self.durability.receive(topic, timeout_seconds)

    async def ask_model(
        self, prompt: str, variables: dict[str, Any], answer: type[Answer], max_tokens: int
    ) -> Answer:
        """Render `prompt` (the step's `prompt:` from the config, if it names one) with
        `variables`, ask the run's model for an `answer`, and note the prompt and the tokens."""
        rendered = await self.prompts.render(self.prompt or prompt, variables)
        self.note_prompt(rendered.use)
        messages = [
            Message(role="system", content=rendered.system),
            Message(role="user", content=rendered.user),
        ]
        completion = await self.llm.complete(messages, answer, self.run.llm_model, max_tokens)
        self.note_llm(completion.model, completion.usage)
        return completion.output

    def note_prompt(self, use: PromptUse) -> None:
        self.telemetry.prompts.append(use)

    def note_llm(self, model: str, usage: Usage) -> None:
        self.telemetry.model = model
        self.telemetry.usage = self.telemetry.usage + usage
        self.telemetry.llm_calls += 1

    @classmethod
    def for_run(
        cls,
        run: dict[str, Any],
        github: Callable[[int], GitHubPort],
        llm: LLMPort,
        prompt: str | None,
    ) -> StepContext:
        info = RunInfo.model_validate(run)
        return cls(run=info, github=github(info.installation_id), llm=llm, prompt=prompt)
