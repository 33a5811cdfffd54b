"""The LLM provider for OpenAI-compatible chat completions (OpenAI, Azure, Ollama, vLLM...)."""

from __future__ import annotations

import re
from typing import Literal

import openai
from openai import AsyncOpenAI, omit
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from bot.ports.llm import LLMError, Message, RawCompletion, Usage

OPENAI_URL = "https://api.openai.com/v1"
TokenLimitParam = Literal["max_tokens", "max_completion_tokens"]

# What to do next, by HTTP status; the SDK's own message says what happened.
_HINTS = {
    401: "check OPENAI_API_KEY",
    403: "check the key's permissions for this model",
    404: "check the model name and OPENAI_BASE_URL",
    429: "rate limited or out of quota; lower the load or raise the limit",
}


class OpenAIProvider:
    """Sends one chat completion asking for JSON that fits a schema; the SDK retries 429 and 5xx."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 6,  # bot.adapters.structured_llm.SDK_RETRIES says why
        token_limit_param: TokenLimitParam | None = None,
    ) -> None:
        if not api_key and not base_url:
            raise LLMError(
                "openai: no API key; set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
            )
        # Local servers (Ollama, llama.cpp) ignore the key, but the SDK insists on one.
        self._client = AsyncOpenAI(
            api_key=api_key or "unused",
            base_url=base_url or OPENAI_URL,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._where = base_url or OPENAI_URL
        self._timeout = timeout
        # OpenAI's reasoning models reject `max_tokens`; local servers may not know the newer name.
        talks_to_openai = (base_url or OPENAI_URL).rstrip("/") == OPENAI_URL
        self._limit_param = token_limit_param or (
            "max_completion_tokens" if talks_to_openai else "max_tokens"
        )

    async def complete_raw(
        self,
        messages: list[Message],
        json_schema: dict[str, object],
        schema_name: str,
        model: str,
        max_tokens: int,
    ) -> RawCompletion:
        legacy_limit = self._limit_param == "max_tokens"
        try:
            response = await self._client.chat.completions.create(
                model=model,
                messages=[message_param(m) for m in messages],
                response_format=response_format(json_schema, schema_name),
                max_tokens=max_tokens if legacy_limit else omit,
                max_completion_tokens=omit if legacy_limit else max_tokens,
            )
        except openai.OpenAIError as exc:
            raise LLMError(self._describe_failure(exc, model)) from exc
        return raw_completion(response, model)

    async def aclose(self) -> None:
        await self._client.close()

    def _describe_failure(self, exc: openai.OpenAIError, model: str) -> str:
        what = f"openai ({self._where}): chat completion with model {model!r}"
        if isinstance(exc, openai.APIStatusError):
            return status_failure(what, exc)
        if isinstance(exc, openai.APITimeoutError):
            tries = attempts_made(exc.request.headers.get("x-stainless-retry-count"))
            return f"{what} timed out after {self._timeout:g}s ({tries} attempt(s))"
        if isinstance(exc, openai.APIConnectionError):
            tries = attempts_made(exc.request.headers.get("x-stainless-retry-count"))
            cause = exc.__cause__ or exc
            return f"{what} could not connect ({tries} attempt(s)): {cause}"
        return f"{what} failed: {exc}"


def status_failure(what: str, exc: openai.APIStatusError) -> str:
    tries = attempts_made(exc.response.request.headers.get("x-stainless-retry-count"))
    # The SDK unwraps {"error": {...}} into `body`.
    message = exc.body.get("message") if isinstance(exc.body, dict) else None
    detail = message if isinstance(message, str) and message else exc.message
    hint = _HINTS.get(exc.status_code, "")
    text = f"{what} failed with HTTP {exc.status_code} after {tries} attempt(s): {detail}"
    return f"{text} ({hint})" if hint else text


def attempts_made(retry_count_header: str | None) -> int:
    """The SDK numbers its retries in a request header; the last request says how many were made."""
    try:
        return int(retry_count_header or 0) + 1
    except ValueError:
        return 1


def schema_name_for_api(name: str) -> str:
    """OpenAI accepts names of [a-zA-Z0-9_-], at most 64 long; a generic's name has brackets."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "output"


def response_format(json_schema: dict[str, object], schema_name: str) -> ResponseFormatJSONSchema:
    # Not strict: strict mode rejects common pydantic schemas (defaults, optional fields), and we
    # validate (and repair) the answer ourselves anyway.
    return {
        "type": "json_schema",
        "json_schema": {
            "name": schema_name_for_api(schema_name),
            "schema": json_schema,
            "strict": False,
        },
    }


def message_param(message: Message) -> ChatCompletionMessageParam:
    if message.role == "system":
        return {"role": "system", "content": message.content}
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}


def raw_completion(response: ChatCompletion, requested_model: str) -> RawCompletion:
    if not response.choices:
        raise LLMError(f"openai: the answer from model {requested_model!r} had no choices")
    choice = response.choices[0]
    usage = Usage()
    if response.usage is not None:
        usage = Usage(
            input_tokens=response.usage.prompt_tokens,
            output_tokens=response.usage.completion_tokens,
        )
    text, finish_reason = choice.message.content or "", str(choice.finish_reason or "") or None
    if choice.message.refusal:
        text, finish_reason = choice.message.refusal, "refusal"
    elif finish_reason == "content_filter":
        text, finish_reason = "the provider's content filter withheld the answer", "refusal"
    model = response.model or requested_model
    return RawCompletion(text=text, usage=usage, model=model, finish_reason=finish_reason)
