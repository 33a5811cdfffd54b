"""Executing one configured step: build its typed input, give it the ports, validate its output."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.engine import registry, runtime
from bot.engine.budget import Caps, cost, remaining
from bot.engine.context import BudgetReached, RunInfo, StepContext, StepFailed
from bot.engine.prompting import prompt_source
from bot.engine.record import StepRecord
from bot.engine.registry import StepType, build_input, describe_invalid
from bot.ports.llm import LLMError, LLMPort, Usage
from bot.store.ledger import Spend, record_failed_spend, record_spend, spend
from bot.store.run_book import was_cancelled

log = logging.getLogger("baton.steps")


class LazyLLM:
    """Builds the provider's client on first use (steps without an LLM need no API key), and
    refuses a call once the run's budget is spent."""

    def __init__(self, provider: str, tokens_left: int | None = None) -> None:
        self.provider = provider
        self.tokens_left = tokens_left
        self.spent, self.model = Usage(), ""  # by every call of this attempt, fitting or not
        self._port: LLMPort | None = None

    async def complete(self, messages: Any, output: Any, model: str, max_tokens: int = 4096) -> Any:
        if self.tokens_left is not None and self.tokens_left <= 0:
            raise BudgetReached("budget reached: `llm.budget` allows no more tokens for this run")
        if self._port is None:
            self._port = runtime.current().llm(self.provider)
        self.model = model
        try:
            answer = await self._port.complete(messages, output, model, max_tokens)
        except LLMError as exc:
            self._spend(exc.usage)
            raise
        self._spend(answer.usage)
        return answer

    def _spend(self, usage: Usage) -> None:
        self.spent = self.spent + usage
        if self.tokens_left is not None:
            self.tokens_left -= usage.total


def tokens_left(run: dict[str, Any]) -> int | None:
    """What `llm.budget` still allows this run, from the ledger."""
    caps = Caps.model_validate(run.get("budget") or {})
    if remaining(caps, Spend(0, 0, 0)) is None:
        return None
    spent = spend(runtime.current().store, run["run_id"], run["repo"], run.get("number"))
    return remaining(caps, spent)


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
    try:
        output = validate_output(step_type, await step_type.run(step_input, ctx))
    except BaseException:  # the attempt failed, its model calls were paid for all the same
        book_failed_spend(index, ctx)
        raise
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


def spend_row(index: int, run: RunInfo, model: str, usage: Usage) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "step": index,
        "repo": run.repo,
        "number": run.number,
        "model": model,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cost_usd": cost(run.price, usage.input_tokens, usage.output_tokens),
    }


def book_spend(index: int, ctx: StepContext) -> None:
    row = spend_row(index, ctx.run, ctx.telemetry.model, ctx.telemetry.usage)
    record_spend(runtime.current().store, row)


def book_failed_spend(index: int, ctx: StepContext) -> None:
    """What a failed attempt's model calls spent, into the books (its retry spends anew)."""
    llm = ctx.llm
    if not isinstance(llm, LazyLLM) or not llm.spent.total:
        return
    row = spend_row(index, ctx.run, llm.model, llm.spent)
    try:
        record_failed_spend(runtime.current().store, row)
    except Exception as exc:  # the step's own error is what the run must show
        log.warning("tokens of a failed attempt of step %d not booked: %s", index, exc)


async def execute_step(
    run: dict[str, Any], index: int, config: dict[str, Any], outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """The body of one durable step."""
    step_type, ctx, step_input = prepare(run, config, outputs)
    return await perform(index, step_type, ctx, step_input)
