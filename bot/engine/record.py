"""The record of a run — trigger, config, each step's input, output, prompt, model and tokens."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from bot.engine.context import RunInfo
from bot.ports.llm import Usage
from bot.prompts.rendered import PromptUse

StepStatus = Literal["pending", "succeeded", "failed", "skipped"]
RunStatus = Literal["running", "succeeded", "neutral", "failed", "timed_out", "cancelled"]


class StepRecord(BaseModel):
    index: int
    uses: str
    status: StepStatus = "pending"
    input: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    error: str | None = None
    prompts: list[PromptUse] = []
    model: str = ""
    usage: Usage = Usage()
    started_at: float | None = None
    finished_at: float | None = None


class RunRecord(BaseModel):
    run: RunInfo
    status: RunStatus = "running"
    steps: list[StepRecord]
    config_error: str | None = None
    config_fallback: str = ""  # what ran instead of an invalid file: last valid config or defaults
    headline: str = ""
    details: str = ""
    check_run_id: int | None = None
    check_run_url: str = ""
    check_run_error: str | None = None

    @property
    def usage(self) -> Usage:
        total = Usage()
        for step in self.steps:
            total = total + step.usage
        return total

    def outputs(self) -> list[dict[str, Any]]:
        return [step.output for step in self.steps if step.output is not None]
