"""Executing one configured step: build its typed input, give it the ports, validate its output."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.engine import registry, runtime
from bot.engine.context import StepContext, StepFailed
from bot.engine.inputs import StepInputError, build_input, describe_invalid
from bot.engine.prompting import prompt_source
from bot.engine.record import StepRecord
from bot.engine.registry import StepType
from bot.ports.github import GitHubError
from bot.ports.llm import LLMError, LLMPort


class LazyLLM:
    """Builds the provider's client on first use, so steps without an LLM need no API key."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._port: LLMPort | None = None

    async def complete(self, messages: Any, output: Any, model: str, max_tokens: int = 4096) -> Any:
        if self._port is None:
            self._port = runtime.current().llm(self.provider)
        return await self._port.complete(messages, output, model, max_tokens)


def is_permanent(exc: BaseException) -> bool:
    """Errors a retry cannot fix: bad input, an unfixable model answer, GitHub's 4xx."""
    if isinstance(exc, GitHubError):
        return exc.permanent
    return isinstance(exc, StepInputError | StepFailed | LLMError)


def validate_output(step_type: StepType, output: BaseModel) -> BaseModel:
    try:
        return step_type.output.model_validate(output.model_dump())
    except ValidationError as exc:
        raise StepFailed(describe_invalid(step_type.name, "output", exc)) from exc


def prepare(
    run: dict[str, Any], config: dict[str, Any], outputs: list[dict[str, Any]]
) -> tuple[StepType, StepContext, BaseModel]:
    """The step's type, its context with the ports, and its validated input."""
    rt = runtime.current()
    step_type = registry.get(config["uses"])
    ctx = StepContext.for_run(run, rt.github, LazyLLM(run["llm_provider"]), config.get("prompt"))
    ctx.prompts = prompt_source(ctx.run, ctx.github, rt.settings.baton_prompts_dir)
    step_input = build_input(step_type.input, step_type.name, run, outputs, config.get("with", {}))
    return step_type, ctx, step_input


async def perform(
    index: int, step_type: StepType, ctx: StepContext, step_input: BaseModel
) -> dict[str, Any]:
    """Run the step and return its StepRecord as plain data."""
    started = time.time()
    output = validate_output(step_type, await step_type.run(step_input, ctx))
    return StepRecord(
        index=index,
        uses=step_type.name,
        status="succeeded",
        input=step_input.model_dump(mode="json"),
        output=output.model_dump(mode="json"),
        prompts=ctx.telemetry.prompts,
        model=ctx.telemetry.model,
        usage=ctx.telemetry.usage,
        started_at=started,
        finished_at=time.time(),
    ).model_dump(mode="json")


async def execute_step(
    run: dict[str, Any], index: int, config: dict[str, Any], outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """The body of one durable step."""
    step_type, ctx, step_input = prepare(run, config, outputs)
    return await perform(index, step_type, ctx, step_input)
