"""What a step receives besides its typed input: facts about its run, and the ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from bot.ports.github import GitHubPort
from bot.ports.llm import LLMPort, Usage


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


class PromptUse(BaseModel):
    id: str
    version: str
    sha256: str
    source: str  # "default" or the repository path it came from


class RenderedPrompt(BaseModel):
    use: PromptUse
    system: str
    user: str


class PromptSource(Protocol):
    async def render(self, name: str, variables: dict[str, Any]) -> RenderedPrompt:
        """Load prompt `name` (the repo's override first, then the default) and render it."""
        ...


class StepTelemetry(BaseModel):
    prompts: list[PromptUse] = []
    model: str = ""
    usage: Usage = Usage()
    llm_calls: int = 0


@dataclass
class StepContext:
    run: RunInfo
    github: GitHubPort
    llm: LLMPort
    prompts: PromptSource
    prompt: str | None = None  # the step's `prompt:` from the config, if any
    telemetry: StepTelemetry = field(default_factory=StepTelemetry)

    def note_prompt(self, use: PromptUse) -> None:
        self.telemetry.prompts.append(use)

    def note_llm(self, model: str, usage: Usage) -> None:
        self.telemetry.model = model
        self.telemetry.usage = self.telemetry.usage + usage
        self.telemetry.llm_calls += 1
