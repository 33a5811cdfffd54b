"""The scripted LLM server tests share: OpenAI chat completions and Anthropic messages on loopback.

    fake = FakeLLM()
    fake.script(ReviewOutput(...), "not json", FakeAnswer(status=429), lambda body: {...})
    with fake.serve() as base_url:        # http://127.0.0.1:<port>/v1, for either SDK
        ...
    assert fake.requests[1].messages[-1]["content"] == ...

An answer is a pydantic model or a dict (sent as JSON: the message content, or a tool_use input
when the request offers a tool), a str (sent as is, as text), a `FakeAnswer` (finish reason,
refusal, HTTP error, delay, token counts), or a callable that takes the request's JSON body and
returns one of those. Answers are consumed in order; then the `respond_with` responder answers; with
neither, the fake answers 500 "script exhausted" and tells the SDK not to retry.

Token counts an answer does not give are counted by `count_tokens`: one token per word (a run of
letters, digits and underscores) and one per other non-space character; prompt tokens over the
request's message texts (system included), output tokens over the answer's text.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.serve import serve_in_thread

Api = Literal["openai", "anthropic"]
EXHAUSTED = "script exhausted: the fake LLM has no answer left (use fake.script or respond_with)"


@dataclass(frozen=True)
class FakeAnswer:
    text: str | BaseModel | Mapping[str, Any] = ""
    finish_reason: Literal["stop", "length"] = "stop"
    refusal: str | None = None
    status: int = 200
    error: str = "the fake LLM was scripted to fail"
    # Seconds, sent as `retry-after`; the tiny default keeps SDK retries instant in tests.
    # None sends no header (the SDKs then back off about half a second).
    retry_after: float | None = 0.001
    input_tokens: int | None = None
    output_tokens: int | None = None
    should_retry: bool | None = None  # sent as `x-should-retry`, which both SDKs obey
    delay: float = 0.0  # seconds to wait before answering, to make a client time out


Answer: TypeAlias = (
    BaseModel | Mapping[str, Any] | str | FakeAnswer | Callable[[dict[str, Any]], Any]
)


@dataclass(frozen=True)
class LLMRequest:
    """One request as the fake saw it, and what it answered."""

    api: Api
    model: str
    messages: list[dict[str, str]]  # role/content; Anthropic's `system` comes first as a message
    schema: dict[str, Any] | None  # response_format's json_schema, or the offered tool's input
    schema_name: str | None
    max_tokens: int | None
    body: dict[str, Any] = field(repr=False)
    status: int = 200
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def text(self) -> str:
        return "\n".join(m["content"] for m in self.messages)

    @property
    def last_user_text(self) -> str:
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "user"), "")


def count_tokens(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


def prompt_text(body: Mapping[str, Any]) -> str:
    """Every message's text in a request body of either API, for responders that read the prompt."""
    return "\n".join(m["content"] for m in normalised_messages(body))


class FakeLLM:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self._responder: Callable[[dict[str, Any]], Any] | None = None
        self._requests: list[LLMRequest] = []
        self._ids = itertools.count(1)
        self.base_url: str | None = None
        post = ["POST"]
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat_completions, methods=post),
                Route("/v1/messages", self._messages, methods=post),
                # Anthropic's SDK appends /v1/messages to its base URL, so that the same
                # `.../v1` base URL serves both SDKs.
                Route("/v1/v1/messages", self._messages, methods=post),
            ]
        )

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._script.extend(answers)

    def respond_with(self, responder: Callable[[dict[str, Any]], Any] | None) -> None:
        with self._lock:
            self._responder = responder

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self._responder = None
            self._requests.clear()

    @property
    def requests(self) -> list[LLMRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    @contextmanager
    def serve(self) -> Iterator[str]:
        with serve_in_thread(self.app) as root:
            self.base_url = f"{root}/v1"
            try:
                yield self.base_url
            finally:
                self.base_url = None

    async def _chat_completions(self, request: Request) -> JSONResponse:
        return await self._answer("openai", request)

    async def _messages(self, request: Request) -> JSONResponse:
        return await self._answer("anthropic", request)

    async def _answer(self, api: Api, request: Request) -> JSONResponse:
        body = await request.json()
        problem = request_problem(api, body)
        answer = FakeAnswer(status=400, error=problem) if problem else self._next(body)
        messages = normalised_messages(body)
        text, data = payload(answer.refusal or answer.text)
        tokens_in = answer.input_tokens
        if tokens_in is None:
            tokens_in = sum(count_tokens(m["content"]) for m in messages)
        tokens_out = (
            answer.output_tokens if answer.output_tokens is not None else count_tokens(text)
        )
        if answer.status >= 400:
            tokens_in = tokens_out = 0
        # Recorded before the delay: a client that gave up has still made the request, and a
        # test that resets the fake meanwhile must not find it among its own.
        self._record(api, body, messages, answer.status, tokens_in, tokens_out)
        await asyncio.sleep(answer.delay)
        if answer.status >= 400:
            return error_response(api, answer)
        reply = openai_reply if api == "openai" else anthropic_reply
        n = next(self._ids)
        return JSONResponse(reply(body, answer, text, data, (tokens_in, tokens_out), n))

    def _next(self, body: dict[str, Any]) -> FakeAnswer:
        with self._lock:
            answer: Any = self._script.popleft() if self._script else self._responder
        if answer is None:
            return FakeAnswer(status=500, error=EXHAUSTED, retry_after=None, should_retry=False)
        if callable(answer):
            answer = answer(body)  # outside the lock: a responder may script more answers
        return answer if isinstance(answer, FakeAnswer) else FakeAnswer(text=answer)

    def _record(
        self,
        api: Api,
        body: dict[str, Any],
        messages: list[dict[str, str]],
        status: int,
        tokens_in: int,
        tokens_out: int,
    ) -> None:
        schema, name = requested_schema(api, body)
        seen = LLMRequest(
            api=api,
            model=str(body.get("model", "")),
            messages=messages,
            schema=schema,
            schema_name=name,
            max_tokens=body.get("max_tokens") or body.get("max_completion_tokens"),
            body=body,
            status=status,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
        )
        with self._lock:
            self._requests.append(seen)


def payload(text: str | BaseModel | Mapping[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The answer as text, and as a JSON object when it is one (for a tool_use input)."""
    if isinstance(text, BaseModel):
        return text.model_dump_json(), text.model_dump(mode="json")
    if isinstance(text, Mapping):
        return json.dumps(dict(text)), dict(text)
    return text, None


def block_text(content: Any) -> str:
    """A message's content as text: a str, or text parts and tool_use inputs joined."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if part.get("type") == "text":
            parts.append(part.get("text", ""))
        elif part.get("type") == "tool_use":
            parts.append(json.dumps(part.get("input")))
    return "".join(parts)


def normalised_messages(body: Mapping[str, Any]) -> list[dict[str, str]]:
    system = body.get("system")
    messages = [{"role": "system", "content": block_text(system)}] if system else []
    for message in body.get("messages") or []:
        messages.append(
            {"role": message.get("role", ""), "content": block_text(message.get("content"))}
        )
    return messages


def requested_schema(api: Api, body: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    if api == "openai":
        spec = (body.get("response_format") or {}).get("json_schema") or {}
        return spec.get("schema"), spec.get("name")
    tool = offered_tool(body)
    return (tool.get("input_schema"), tool.get("name")) if tool else (None, None)


def offered_tool(body: Mapping[str, Any]) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    chosen = (body.get("tool_choice") or {}).get("name")
    return next((t for t in tools if t.get("name") == chosen), tools[0] if tools else None)


def request_problem(api: Api, body: Mapping[str, Any]) -> str | None:
    """The few rules of the real APIs a wrong adapter would break; None when the request is fine."""
    if not body.get("model") or not body.get("messages"):
        return "`model` and `messages` are required"
    if api == "openai":
        return None
    if not isinstance(body.get("max_tokens"), int):
        return "`max_tokens` is required"
    for index, message in enumerate(body["messages"]):
        if message.get("role") not in ("user", "assistant"):
            return f"messages.{index}.role: must be user or assistant (system goes in `system`)"
        if not block_text(message.get("content")):
            return f"messages.{index}: all messages must have non-empty content"
    return None


def error_response(api: Api, answer: FakeAnswer) -> JSONResponse:
    headers = {}
    if answer.retry_after is not None:
        headers["retry-after"] = f"{answer.retry_after:g}"
    if answer.should_retry is not None:
        headers["x-should-retry"] = "true" if answer.should_retry else "false"
    kind = {400: "invalid_request_error", 429: "rate_limit_error"}.get(answer.status, "api_error")
    if api == "openai":
        body: dict[str, Any] = {"error": {"message": answer.error, "type": kind, "code": None}}
    else:
        body = {"type": "error", "error": {"type": kind, "message": answer.error}}
    return JSONResponse(body, status_code=answer.status, headers=headers)


def openai_reply(
    body: Mapping[str, Any],
    answer: FakeAnswer,
    text: str,
    data: dict[str, Any] | None,
    tokens: tuple[int, int],
    n: int,
) -> dict[str, Any]:
    message = {"role": "assistant", "content": None if answer.refusal else text}
    message["refusal"] = answer.refusal
    choice = {"index": 0, "message": message, "finish_reason": answer.finish_reason}
    usage = {
        "prompt_tokens": tokens[0],
        "completion_tokens": tokens[1],
        "total_tokens": sum(tokens),
    }
    return {
        "id": f"chatcmpl-fake-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [choice],
        "usage": usage,
    }


def anthropic_reply(
    body: Mapping[str, Any],
    answer: FakeAnswer,
    text: str,
    data: dict[str, Any] | None,
    tokens: tuple[int, int],
    n: int,
) -> dict[str, Any]:
    tool = offered_tool(body)
    stop = "max_tokens" if answer.finish_reason == "length" else "end_turn"
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    details = None
    if answer.refusal:
        stop = "refusal"
        details = {"type": "refusal", "category": None, "explanation": answer.refusal}
    elif data is not None and tool is not None:
        content = [
            {"type": "tool_use", "id": f"toolu_fake_{n}", "name": tool["name"], "input": data}
        ]
        stop = "tool_use" if stop == "end_turn" else stop
    return {
        "id": f"msg_fake_{n}",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "stop_details": details,
        "usage": {"input_tokens": tokens[0], "output_tokens": tokens[1]},
    }
