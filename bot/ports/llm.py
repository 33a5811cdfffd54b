"""The LLM port: one structured completion — messages and an output schema in, a validated object
and its token usage out."""

from __future__ import annotations

from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T", bound=BaseModel)


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
        )


class RawCompletion(BaseModel):
    """What a provider answered, before any validation."""

    text: str
    usage: Usage
    model: str
    finish_reason: str | None = None  # "stop", "length", "refusal", ... as the provider says


class Completion(BaseModel, Generic[T]):
    output: T
    usage: Usage
    model: str
    attempts: int = 1


class LLMError(Exception):
    """The provider failed or its answer could not be made to fit the schema."""

    usage: Usage = Usage()  # what the failed call still spent (answers that did not fit)


class LLMProvider(Protocol):
    """A thin adapter over one SDK: sends messages, asks for JSON fitting `json_schema`."""

    async def complete_raw(
        self,
        messages: list[Message],
        json_schema: dict[str, object],
        schema_name: str,
        model: str,
        max_tokens: int,
    ) -> RawCompletion: ...


class LLMPort(Protocol):
    async def complete(
        self,
        messages: list[Message],
        output: type[T],
        model: str,
        max_tokens: int = 4096,
    ) -> Completion[T]:
        """Validated against `output`; one repair attempt, then LLMError."""
        ...
