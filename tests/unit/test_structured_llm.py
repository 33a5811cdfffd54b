"""StructuredLLM's validation and single repair, over an in-process provider that plays a script."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bot.adapters.structured_llm import (
    StructuredLLM,
    UnfitAnswer,
    build_llm,
    describe_validation_error,
    strip_code_fence,
)
from bot.ports.llm import LLMError, Message, RawCompletion, Usage


class Finding(BaseModel):
    line: int
    body: str


class Review(BaseModel):
    summary: str
    findings: list[Finding] = []


GOOD = '{"summary": "fine", "findings": [{"line": 3, "body": "ok"}]}'
PROMPT = [Message(role="user", content="Review this.")]


class ScriptedProvider:
    """Answers from a list of (text, finish_reason) and remembers what it was sent."""

    def __init__(self, *answers: str | tuple[str, str]) -> None:
        self.answers = [a if isinstance(a, tuple) else (a, "stop") for a in answers]
        self.calls: list[tuple[list[Message], dict[str, object], str]] = []

    async def complete_raw(
        self,
        messages: list[Message],
        json_schema: dict[str, object],
        schema_name: str,
        model: str,
        max_tokens: int,
    ) -> RawCompletion:
        self.calls.append((messages, json_schema, schema_name))
        text, finish_reason = self.answers.pop(0)
        usage = Usage(input_tokens=10, output_tokens=len(text))
        return RawCompletion(text=text, usage=usage, model=model, finish_reason=finish_reason)


async def complete(provider: ScriptedProvider, max_tokens: int = 4096) -> Review:
    result = await StructuredLLM(provider).complete(PROMPT, Review, "m", max_tokens)
    return result.output


async def test_a_fitting_answer_is_returned_with_its_usage_after_one_attempt() -> None:
    provider = ScriptedProvider(GOOD)

    result = await StructuredLLM(provider).complete(PROMPT, Review, "m")

    assert result.output == Review.model_validate_json(GOOD)
    assert (result.attempts, result.usage, result.model) == (
        1,
        Usage(input_tokens=10, output_tokens=len(GOOD)),
        "m",
    )
    assert provider.calls[0][1:] == (Review.model_json_schema(), "Review")


async def test_json_in_a_code_fence_is_accepted() -> None:
    assert (await complete(ScriptedProvider(f"```json\n{GOOD}\n```"))).summary == "fine"


async def test_a_repair_shows_the_model_its_answer_and_what_was_wrong() -> None:
    provider = ScriptedProvider('{"summary": 7}', GOOD)

    result = await StructuredLLM(provider).complete(PROMPT, Review, "m")

    assert result.attempts == 2
    assert result.usage == Usage(input_tokens=20, output_tokens=len('{"summary": 7}') + len(GOOD))
    repair = provider.calls[1][0]
    assert repair[:-2] == PROMPT
    assert repair[-2] == Message(role="assistant", content='{"summary": 7}')
    assert repair[-1].role == "user"
    assert "summary: Input should be a valid string (got 7)" in repair[-1].content


async def test_two_unfit_answers_raise_saying_what_was_wrong_and_what_they_cost() -> None:
    provider = ScriptedProvider("not json", '{"findings": []}')

    with pytest.raises(UnfitAnswer) as failure:
        await complete(provider)

    assert str(failure.value) == (
        "the model's answer did not fit Review after 2 attempts: summary: Field required"
    )
    assert failure.value.attempts == 2
    assert failure.value.usage.input_tokens == 20


async def test_a_refusal_is_not_repaired() -> None:
    provider = ScriptedProvider(("I won't.", "refusal"), GOOD)

    with pytest.raises(LLMError, match=r"refused to answer \(Review\): I won't\."):
        await complete(provider)

    assert len(provider.calls) == 1


async def test_a_refusal_to_the_repair_is_reported_as_a_refusal() -> None:
    provider = ScriptedProvider("nope", ("I won't.", "refusal"))

    with pytest.raises(UnfitAnswer, match="refused") as failure:
        await complete(provider)

    assert failure.value.attempts == 2


async def test_an_answer_cut_off_at_the_limit_is_repaired_even_if_it_parses() -> None:
    provider = ScriptedProvider(('{"summary": "fi"}', "length"), GOOD)

    assert (await complete(provider, max_tokens=64)).summary == "fine"
    assert "cut off at the 64-token limit" in provider.calls[1][0][-1].content


async def test_an_empty_answer_is_shown_back_as_no_answer() -> None:
    provider = ScriptedProvider("", GOOD)

    await complete(provider)

    assert provider.calls[1][0][-2] == Message(role="assistant", content="(no answer)")


def validation_error(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Review.model_validate_json(text)
    return caught.value


@pytest.mark.parametrize(
    ("answer", "described"),
    [
        ("nope", "the answer is not valid JSON (expected ident at line 1 column 2)"),
        ("[1]", "the answer: Input should be an object"),
        ("{}", "summary: Field required"),
        (
            '{"summary": "s", "findings": [{"line": "twelve", "body": "b"}]}',
            "findings.0.line: Input should be a valid integer, unable to parse string as an "
            "integer (got 'twelve')",
        ),
        ('{"summary": "s", "findings": [{"line": 1, "body": ["b"]}]}', "findings.0.body: "),
    ],
)
def test_validation_errors_are_condensed_to_one_line(answer: str, described: str) -> None:
    assert describe_validation_error(validation_error(answer)).startswith(described)


def test_only_the_first_few_validation_errors_are_listed() -> None:
    findings = ", ".join('{"line": "x", "body": "b"}' for _ in range(4))
    error = validation_error(f'{{"summary": 1, "findings": [{findings}]}}')

    described = describe_validation_error(error, limit=2)

    assert described.count(";") == 2
    assert described.endswith("and 3 more")


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}\n```\n', '{"a": 1}'),
        ('{"a": 1}', '{"a": 1}'),
        ('Here: ```json\n{"a": 1}\n```', 'Here: ```json\n{"a": 1}\n```'),
    ],
)
def test_a_surrounding_code_fence_is_stripped(text: str, stripped: str) -> None:
    assert strip_code_fence(text) == stripped


@pytest.mark.parametrize(
    ("provider", "api_key", "base_url", "says"),
    [
        ("openai", None, None, "OPENAI_API_KEY"),
        ("anthropic", None, "http://localhost", "ANTHROPIC_API_KEY"),
        ("gemini", "k", None, "unknown LLM provider 'gemini'"),
    ],
)
def test_building_an_llm_without_what_it_needs_says_what_is_missing(
    provider: str, api_key: str | None, base_url: str | None, says: str
) -> None:
    with pytest.raises(LLMError, match=says):
        build_llm(provider, api_key, base_url)  # type: ignore[arg-type]


def test_a_local_openai_compatible_server_needs_no_key() -> None:
    assert build_llm("openai", None, "http://localhost:11434/v1") is not None


def test_an_unfit_answer_read_back_from_dbos_checkpoint_says_the_same() -> None:
    # DBOS pickles a failed step's error; a run resumed after a crash reads it back.
    from dbos._serialization import DBOSDefaultSerializer

    usage = Usage(input_tokens=20, output_tokens=6)
    error = UnfitAnswer("the model's answer did not fit Review", usage, attempts=2)

    again = DBOSDefaultSerializer.deserialize(DBOSDefaultSerializer.serialize(error))

    assert isinstance(again, UnfitAnswer)
    assert (str(again), again.usage, again.attempts) == (str(error), error.usage, 2)
