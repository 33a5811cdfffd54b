"""The real OpenAI and Anthropic adapters, behind StructuredLLM, against the scripted LLM server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from bot.adapters.structured_llm import build_llm
from bot.ports.llm import LLMError, LLMPort, Message
from tests.fakes.llm import FakeAnswer, FakeLLM, prompt_text
from tests.fakes.serve import free_port


class Finding(BaseModel):
    path: str
    line: int
    body: str


class Review(BaseModel):
    summary: str
    findings: list[Finding]


GOOD = Review(summary="One issue.", findings=[Finding(path="app.py", line=12, body="Check auth.")])
BAD_LINE = {"summary": "x", "findings": [{"path": "app.py", "line": "twelve", "body": "b"}]}
PROMPT = [
    Message(role="system", content="You review pull requests."),
    Message(role="user", content="Review this diff: +print('hi')"),
]


@pytest.fixture(scope="module")
def served() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    with fake.serve():
        yield fake


@pytest.fixture
def fake(served: FakeLLM) -> FakeLLM:
    served.reset()
    return served


@pytest.fixture(params=["openai", "anthropic"])
def llm(request: pytest.FixtureRequest, fake: FakeLLM) -> LLMPort:
    return build_llm(request.param, "test-key", fake.base_url, timeout=5, max_retries=2)


async def test_a_valid_answer_is_parsed_and_its_usage_reported(fake: FakeLLM, llm: LLMPort) -> None:
    fake.script(GOOD)

    result = await llm.complete(PROMPT, Review, model="m-1")

    assert result.output == GOOD
    assert result.attempts == 1
    assert result.model == "m-1"
    seen = fake.requests[0]
    assert (result.usage.input_tokens, result.usage.output_tokens) == (
        seen.input_tokens,
        seen.output_tokens,
    )
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert seen.schema == Review.model_json_schema()
    assert seen.schema_name == "Review"
    assert [m["role"] for m in seen.messages] == ["system", "user"]


async def test_an_answer_that_is_not_json_is_repaired_on_the_second_attempt(
    fake: FakeLLM, llm: LLMPort
) -> None:
    fake.script("Sure! The diff looks fine.", GOOD)

    result = await llm.complete(PROMPT, Review, model="m-1")

    assert result.output == GOOD
    assert result.attempts == 2
    first, second = fake.requests
    assert second.messages[-2] == {"role": "assistant", "content": "Sure! The diff looks fine."}
    assert "not valid JSON" in second.last_user_text
    assert result.usage.total == sum(r.input_tokens + r.output_tokens for r in (first, second))


async def test_two_answers_that_do_not_fit_raise_an_error_naming_the_schema_and_the_problem(
    fake: FakeLLM, llm: LLMPort
) -> None:
    fake.script(BAD_LINE, BAD_LINE)

    with pytest.raises(LLMError) as failure:
        await llm.complete(PROMPT, Review, model="m-1")

    assert "did not fit Review after 2 attempts" in str(failure.value)
    assert "findings.0.line: Input should be a valid integer" in str(failure.value)
    assert "findings.0.line" in fake.requests[1].last_user_text


async def test_an_answer_cut_off_at_the_token_limit_is_repaired(
    fake: FakeLLM, llm: LLMPort
) -> None:
    fake.script(FakeAnswer(text='{"summary": "One iss', finish_reason="length"), GOOD)

    result = await llm.complete(PROMPT, Review, model="m-1", max_tokens=50)

    assert result.attempts == 2
    assert "cut off at the 50-token limit" in fake.requests[1].last_user_text
    assert fake.requests[0].max_tokens == 50


async def test_a_refusal_raises_at_once_without_a_repair(fake: FakeLLM, llm: LLMPort) -> None:
    fake.script(FakeAnswer(refusal="I can't help with that."), GOOD)

    with pytest.raises(LLMError, match=r"refused to answer \(Review\): I can't help with that"):
        await llm.complete(PROMPT, Review, model="m-1")

    assert len(fake.requests) == 1


async def test_a_rate_limit_is_retried_by_the_sdk(fake: FakeLLM, llm: LLMPort) -> None:
    fake.script(FakeAnswer(status=429, error="slow down"), GOOD)

    result = await llm.complete(PROMPT, Review, model="m-1")

    assert result.output == GOOD
    assert result.attempts == 1
    assert [r.status for r in fake.requests] == [429, 200]


async def test_a_server_failing_forever_raises_after_bounded_attempts(
    fake: FakeLLM, llm: LLMPort
) -> None:
    fake.respond_with(lambda body: FakeAnswer(status=500, error="upstream exploded"))

    with pytest.raises(LLMError) as failure:
        await llm.complete(PROMPT, Review, model="m-1")

    assert "HTTP 500 after 3 attempt(s): upstream exploded" in str(failure.value)
    assert "model 'm-1'" in str(failure.value)
    assert len(fake.requests) == 3


async def test_an_exhausted_script_fails_at_once_saying_so(fake: FakeLLM, llm: LLMPort) -> None:
    with pytest.raises(LLMError, match="script exhausted"):
        await llm.complete(PROMPT, Review, model="m-1")

    assert len(fake.requests) == 1


async def test_a_responder_answers_from_the_prompt(fake: FakeLLM, llm: LLMPort) -> None:
    fake.respond_with(lambda body: GOOD if "print(" in prompt_text(body) else "no")

    result = await llm.complete(PROMPT, Review, model="m-1")

    assert result.output == GOOD


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_an_unreachable_server_raises_saying_it_could_not_connect(provider: str) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    llm = build_llm(provider, "test-key", nowhere, timeout=5, max_retries=0)  # type: ignore[arg-type]

    with pytest.raises(LLMError, match=f"{provider} .*could not connect"):
        await llm.complete(PROMPT, Review, model="m-1")


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_a_server_too_slow_to_answer_raises_saying_it_timed_out(
    provider: str, fake: FakeLLM
) -> None:
    fake.script(FakeAnswer(text=GOOD, delay=0.6))
    llm = build_llm(provider, "test-key", fake.base_url, timeout=0.2, max_retries=0)  # type: ignore[arg-type]

    with pytest.raises(LLMError, match=f"{provider} .*timed out after 0.2s"):
        await llm.complete(PROMPT, Review, model="m-1")


async def test_openai_is_asked_for_json_fitting_the_schema(fake: FakeLLM) -> None:
    fake.script(GOOD)
    llm = build_llm("openai", "test-key", fake.base_url, timeout=5, max_retries=0)

    await llm.complete(PROMPT, Review, model="m-1", max_tokens=300)

    body = fake.requests[0].body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Review", "schema": Review.model_json_schema(), "strict": False},
    }
    assert body["max_tokens"] == 300  # a compatible server, not api.openai.com


async def test_anthropic_gets_the_system_prompt_apart_and_one_forced_tool(fake: FakeLLM) -> None:
    fake.script(GOOD)
    llm = build_llm("anthropic", "test-key", fake.base_url, timeout=5, max_retries=0)

    await llm.complete(PROMPT, Review, model="m-1")

    body = fake.requests[0].body
    assert body["system"] == "You review pull requests."
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert body["tool_choice"] == {"type": "tool", "name": "Review"}
    assert [t["input_schema"] for t in body["tools"]] == [Review.model_json_schema()]


async def test_anthropic_answering_in_text_instead_of_the_tool_is_still_parsed(
    fake: FakeLLM,
) -> None:
    fake.script(GOOD.model_dump_json())
    llm = build_llm("anthropic", "test-key", fake.base_url, timeout=5, max_retries=0)

    result = await llm.complete(PROMPT, Review, model="m-1")

    assert result.output == GOOD
