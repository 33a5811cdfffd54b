"""The LLM provider for Anthropic's Messages API: structured output through one forced tool."""

from __future__ import annotations

import json
import re

import anthropic
from anthropic import AsyncAnthropic, omit
from anthropic.types import Message as AnthropicMessage
from anthropic.types import MessageParam, TextBlock, ToolParam, ToolUseBlock

from bot.ports.llm import LLMError, Message, RawCompletion, Usage

ANTHROPIC_URL = "https://api.anthropic.com"

# Anthropic's stop reasons in the port's vocabulary ("stop", "length", "refusal").
_FINISH_REASONS = {
    "end_turn": "stop",
    "tool_use": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "refusal",
}

# What to do next, by HTTP status; the SDK's own message says what happened.
_HINTS = {
    401: "check ANTHROPIC_API_KEY",
    403: "check the key's permissions for this model",
    404: "check the model name and ANTHROPIC_BASE_URL",
    429: "rate limited; lower the load or raise the limit",
    529: "Anthropic is overloaded; try again later",
}


class AnthropicProvider:
    """Forces a single tool whose input schema is the output schema; the SDK retries 429 and 5xx."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 6,  # bot.adapters.structured_llm.SDK_RETRIES says why
    ) -> None:
        # Without an explicit key the SDK goes looking for profiles and token files on disk.
        if not api_key:
            raise LLMError("anthropic: no API key; set ANTHROPIC_API_KEY")
        self._client = AsyncAnthropic(
            api_key=api_key,
            base_url=base_url or ANTHROPIC_URL,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._where = base_url or ANTHROPIC_URL
        self._timeout = timeout

    async def complete_raw(
        self,
        messages: list[Message],
        json_schema: dict[str, object],
        schema_name: str,
        model: str,
        max_tokens: int,
    ) -> RawCompletion:
        tool = answer_tool(json_schema, schema_name)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        try:
            response = await self._client.messages.create(
                model=model,
                max_tokens=max_tokens,
                system=system or omit,
                messages=conversation(messages),
                tools=[tool],
                tool_choice={"type": "tool", "name": tool["name"]},
            )
        except anthropic.AnthropicError as exc:
            raise LLMError(self._describe_failure(exc, model)) from exc
        return raw_completion(response, tool["name"])

    async def aclose(self) -> None:
        await self._client.close()

    def _describe_failure(self, exc: anthropic.AnthropicError, model: str) -> str:
        what = f"anthropic ({self._where}): message with model {model!r}"
        if isinstance(exc, anthropic.APIStatusError):
            tries = attempts_made(exc.response.request.headers.get("x-stainless-retry-count"))
            hint = _HINTS.get(exc.status_code, "")
            text = (
                f"{what} failed with HTTP {exc.status_code} after {tries} attempt(s): "
                f"{error_detail(exc.body, exc.message)}"
            )
            return f"{text} ({hint})" if hint else text
        if isinstance(exc, anthropic.APITimeoutError):
            tries = attempts_made(exc.request.headers.get("x-stainless-retry-count"))
            return f"{what} timed out after {self._timeout:g}s ({tries} attempt(s))"
        if isinstance(exc, anthropic.APIConnectionError):
            tries = attempts_made(exc.request.headers.get("x-stainless-retry-count"))
            return f"{what} could not connect ({tries} attempt(s)): {exc.__cause__ or exc}"
        return f"{what} failed: {exc}"


def attempts_made(retry_count_header: str | None) -> int:
    """The SDK numbers its retries in a request header; the last request says how many were made."""
    try:
        return int(retry_count_header or 0) + 1
    except ValueError:
        return 1


def error_detail(body: object, fallback: str) -> str:
    """Anthropic's error body is {"type": "error", "error": {"type": ..., "message": ...}}."""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) and message else fallback


def answer_tool(json_schema: dict[str, object], schema_name: str) -> ToolParam:
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", schema_name)[:64] or "output"
    return {
        "name": name,
        "description": f"Give your answer as a {name} object.",
        "input_schema": json_schema,
    }


def conversation(messages: list[Message]) -> list[MessageParam]:
    """The non-system turns; the API joins consecutive turns of the same role itself."""
    turns: list[MessageParam] = []
    for message in messages:
        if message.role == "user":
            turns.append({"role": "user", "content": message.content})
        elif message.role == "assistant":
            turns.append({"role": "assistant", "content": message.content})
    return turns


def raw_completion(response: AnthropicMessage, tool_name: str) -> RawCompletion:
    usage = Usage(
        input_tokens=response.usage.input_tokens, output_tokens=response.usage.output_tokens
    )
    stop = response.stop_reason
    finish_reason = _FINISH_REASONS.get(stop, stop) if stop else None
    text = answer_text(response, tool_name)
    if finish_reason == "refusal":
        details = response.stop_details
        text = (details.explanation if details else None) or text or "the model refused to answer"
    return RawCompletion(text=text, usage=usage, model=response.model, finish_reason=finish_reason)


def answer_text(response: AnthropicMessage, tool_name: str) -> str:
    """The forced tool's input as JSON; the text when the model answered in words instead."""
    for block in response.content:
        if isinstance(block, ToolUseBlock) and block.name == tool_name:
            return json.dumps(block.input)
    return "".join(block.text for block in response.content if isinstance(block, TextBlock))
