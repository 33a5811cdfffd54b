"""Executing one configured step: build its typed input, give it the ports, validate its output."""

from __future__ import annotations

import functools
import time
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.accounting import Spend, record_spend, spend, was_cancelled
from bot.budget import Caps, cost, remaining
from bot.engine import registry, runtime
from bot.engine.context import BudgetReached, StepContext, StepFailed
from bot.engine.inputs import StepInputError, build_input, describe_invalid
from bot.engine.prompting import prompt_source
from bot.engine.record import StepRecord
from bot.engine.registry import StepType
from bot.ports.github import GitHubError
from bot.ports.llm import LLMError, LLMPort


class LazyLLM:
    """Builds the provider's client on first use (steps without an LLM need no API key), and
    refuses a call once the run's budget is spent."""

    def __init__(self, provider: str, tokens_left: int | None = None) -> None:
        self.provider = provider
        self.tokens_left = tokens_left
        self._port: LLMPort | None = None

    async def complete(self, messages: Any, output: Any, model: str, max_tokens: int = 4096) -> Any:
        if self.tokens_left is not None and self.tokens_left <= 0:
            raise BudgetReached("budget reached: `llm.budget` allows no more tokens for this run")
        if self._port is None:
            self._port = runtime.current().llm(self.provider)
        answer = await self._port.complete(messages, output, model, max_tokens)
        if self.tokens_left is not None:
            self.tokens_left -= answer.usage.total
        return answer


def tokens_left(run: dict[str, Any]) -> int | None:
    """What `llm.budget` still allows this run, from the ledger."""
    caps = Caps.model_validate(run.get("budget") or {})
    if remaining(caps, Spend(0, 0, 0)) is None:
        return None
    spent = spend(runtime.current().store, run["run_id"], run["repo"], run.get("number"))
    return remaining(caps, spent)


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
    left = tokens_left(run)
    ctx = StepContext.for_run(
        run, rt.github, LazyLLM(run["llm_provider"], left), config.get("prompt")
    )
    ctx.tokens_left = left
    ctx.cancelled = functools.partial(was_cancelled, rt.store, ctx.run.run_id)
    ctx.prompts = prompt_source(ctx.run, ctx.github, rt.settings.baton_prompts_dir, rt.store)
    step_input = build_input(step_type.input, step_type.name, run, outputs, config.get("with", {}))
    return step_type, ctx, step_input


async def perform(
    index: int, step_type: StepType, ctx: StepContext, step_input: BaseModel
) -> dict[str, Any]:
    """Run the step and return its StepRecord as plain data."""
    started = time.time()
    output = validate_output(step_type, await step_type.run(step_input, ctx))
    if ctx.telemetry.llm_calls:
        book_spend(index, ctx)
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


def book_spend(index: int, ctx: StepContext) -> None:
    usage, run = ctx.telemetry.usage, ctx.run
    row = {
        "run_id": run.run_id,
        "step": index,
        "repo": run.repo,
        "number": run.number,
        "model": ctx.telemetry.model,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cost_usd": cost(run.price, usage.input_tokens, usage.output_tokens),
    }
    record_spend(runtime.current().store, row)


async def execute_step(
    run: dict[str, Any], index: int, config: dict[str, Any], outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """The body of one durable step."""
    step_type, ctx, step_input = prepare(run, config, outputs)
    return await perform(index, step_type, ctx, step_input)
