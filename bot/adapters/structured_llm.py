"""Structured completions: ask for JSON that fits a pydantic model, validate it, repair once."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.ports.llm import (
    Completion,
    LLMError,
    LLMPort,
    LLMProvider,
    Message,
    RawCompletion,
    T,
    Usage,
)

ProviderName = Literal["openai", "anthropic"]
MAX_ATTEMPTS = 2  # the first answer and one repair
# The SDKs retry 408, 409, 429, 5xx and lost connections, honouring `retry-after` (up to 60 s)
# or backing off from half a second, doubling to 8 s. With a fifth of requests failing
# transiently and independently, a call fails only when all 1 + SDK_RETRIES do: 0.2^7, about
# 1 in 78,000 calls (the SDKs' default of 2 retries: 1 in 125). The worst case adds about 24 s
# of backoff; an unfit answer is no HTTP error and is left to the repair.
SDK_RETRIES = 6
MAX_ERRORS_SHOWN = 5

_FENCE = re.compile(r"^\s*```[\w-]*[ \t]*\n(.*?)\n?[ \t]*```\s*$", re.DOTALL)


class UnfitAnswer(LLMError):
    """The model refused, or its answers did not fit the schema; says what the attempts cost."""

    def __init__(self, message: str, usage: Usage, attempts: int) -> None:
        super().__init__(message)
        self.usage = usage
        self.attempts = attempts

    def __reduce__(self) -> tuple[type[UnfitAnswer], tuple[str, Usage, int]]:
        """DBOS records a failed step's error by pickling it, and a run resumed after a crash
        reads it back: without this, reading it failed with a TypeError about __init__'s
        arguments, and that became the step's error."""
        return (type(self), (str(self), self.usage, self.attempts))


class StructuredLLM:
    """The LLM port over one provider: the answer is validated against the output model."""

    def __init__(self, provider: LLMProvider) -> None:
        self._provider = provider

    async def complete(
        self,
        messages: list[Message],
        output: type[T],
        model: str,
        max_tokens: int = 4096,
    ) -> Completion[T]:
        schema, name = output.model_json_schema(), output.__name__
        conversation, usage, problem = list(messages), Usage(), ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            raw = await self._provider.complete_raw(conversation, schema, name, model, max_tokens)
            usage = usage + raw.usage
            if raw.finish_reason == "refusal":
                # A refusal is a decision, not a formatting slip: asking again will not fix it.
                refused = f"the model refused to answer ({name}): {raw.text}"
                raise UnfitAnswer(refused, usage, attempt)
            fitted = fit(raw, output, max_tokens)
            if not isinstance(fitted, str):
                return Completion(output=fitted, usage=usage, model=raw.model, attempts=attempt)
            problem = fitted
            conversation = [*messages, *repair_turns(raw.text, name, problem)]
        raise UnfitAnswer(
            f"the model's answer did not fit {name} after {MAX_ATTEMPTS} attempts: {problem}",
            usage,
            MAX_ATTEMPTS,
        )


def fit(raw: RawCompletion, output: type[T], max_tokens: int) -> T | str:
    """The answer validated as `output`, or a sentence saying what was wrong with it."""
    if raw.finish_reason == "length":
        return f"the answer was cut off at the {max_tokens}-token limit; give a shorter answer"
    try:
        return output.model_validate_json(strip_code_fence(raw.text))
    except ValidationError as exc:
        return describe_validation_error(exc)


def repair_turns(previous_answer: str, schema_name: str, problem: str) -> list[Message]:
    """The model's own answer, then a request to fix exactly what was wrong with it."""
    return [
        # Anthropic rejects an assistant turn with empty content.
        Message(role="assistant", content=previous_answer or "(no answer)"),
        Message(
            role="user",
            content=(
                f"Your previous answer did not fit the {schema_name} schema: {problem}. "
                "Answer again with only a JSON object that fits the schema."
            ),
        ),
    ]


def describe_validation_error(exc: ValidationError, limit: int = MAX_ERRORS_SHOWN) -> str:
    """pydantic's errors condensed to one line: `findings.0.line: Input should be ...; ...`."""
    errors = exc.errors(include_url=False)
    parts = [describe_error(error) for error in errors[:limit]]
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


def describe_error(error: ErrorDetails) -> str:
    if error["type"] == "json_invalid":
        reason = error.get("ctx", {}).get("error", error["msg"])
        return f"the answer is not valid JSON ({reason})"
    where = ".".join(str(part) for part in error["loc"]) or "the answer"
    value = error.get("input")
    shown = value is None or isinstance(value, str | int | float | bool)
    if error["type"] == "missing" or not shown:
        return f"{where}: {error['msg']}"
    return f"{where}: {error['msg']} (got {short_repr(value)})"


def short_repr(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def strip_code_fence(text: str) -> str:
    """Local models often wrap JSON in a ```json fence even when asked for JSON only."""
    match = _FENCE.match(text)
    return match.group(1) if match else text


def build_provider(
    provider_name: ProviderName,
    api_key: str | None,
    base_url: str | None = None,
    *,
    timeout: float = 120.0,
    max_retries: int = SDK_RETRIES,
) -> LLMProvider:
    # Imported here so a process that uses one provider never loads the other SDK.
    if provider_name == "openai":
        from bot.adapters.openai_llm import OpenAIProvider

        return OpenAIProvider(api_key, base_url, timeout=timeout, max_retries=max_retries)
    if provider_name == "anthropic":
        from bot.adapters.anthropic_llm import AnthropicProvider

        return AnthropicProvider(api_key, base_url, timeout=timeout, max_retries=max_retries)
    raise LLMError(f"unknown LLM provider {provider_name!r}; use 'openai' or 'anthropic'")


def build_llm(
    provider_name: ProviderName,
    api_key: str | None,
    base_url: str | None = None,
    *,
    timeout: float = 120.0,
    max_retries: int = SDK_RETRIES,
) -> LLMPort:
    """The LLM port bootstrap wires: a real provider behind validation and one repair."""
    provider = build_provider(
        provider_name, api_key, base_url, timeout=timeout, max_retries=max_retries
    )
    return StructuredLLM(provider)
