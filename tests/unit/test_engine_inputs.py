"""Typed handoffs: where each field of a step's input comes from, and what a bad one says."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from bot.engine.registry import StepInputError, build_input, input_namespace

RUN = {"repo": "octo/app", "number": 7, "head_sha": "abc1234", "workflow": "review"}


class ReviewInput(BaseModel):
    repo: str
    number: int
    summary: str = ""
    max_tokens: int = 4096


class NeedsDiff(BaseModel):
    repo: str
    diff: dict[str, Any]


@pytest.mark.parametrize(
    ("run", "outputs", "options", "expected"),
    [
        pytest.param(RUN, [], {}, {"repo": "octo/app", "number": 7}, id="run facts"),
        pytest.param(
            RUN, [{"number": 8}], {}, {"repo": "octo/app", "number": 8}, id="output beats run"
        ),
        pytest.param(
            RUN, [{"number": 8}], {"number": 9}, {"number": 9}, id="with beats output and run"
        ),
        pytest.param(RUN, [], {"repo": "octo/fork"}, {"repo": "octo/fork"}, id="with beats run"),
        pytest.param(
            RUN,
            [{"summary": "first"}, {"summary": "second"}],
            {},
            {"summary": "second"},
            id="later output beats earlier",
        ),
        pytest.param(
            RUN,
            [{"summary": "first", "number": 8}, {"summary": "second"}],
            {},
            {"summary": "second", "number": 8},
            id="later output overrides only its own fields",
        ),
    ],
)
def test_an_input_field_comes_from_the_latest_source_that_has_it(
    run: dict[str, Any],
    outputs: list[dict[str, Any]],
    options: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    built = build_input(ReviewInput, "review.llm", run, outputs, options)

    assert {key: getattr(built, key) for key in expected} == expected


def test_the_namespace_holds_every_source_latest_first() -> None:
    namespace = input_namespace(
        {"a": "run", "b": "run", "c": "run", "d": "run"},
        [{"b": "out1", "c": "out1"}, {"c": "out2"}],
        {"d": "with"},
    )

    assert namespace == {"a": "run", "b": "out1", "c": "out2", "d": "with"}


def test_fields_the_step_does_not_declare_are_left_out() -> None:
    built = build_input(ReviewInput, "review.llm", RUN, [{"conclusion": "success"}], {})

    assert built.model_dump() == {
        "repo": "octo/app",
        "number": 7,
        "summary": "",
        "max_tokens": 4096,
    }


def test_a_missing_required_field_names_the_step_and_the_field() -> None:
    with pytest.raises(StepInputError) as raised:
        build_input(NeedsDiff, "review.llm", RUN, [{"summary": "x"}], {})

    assert str(raised.value) == (
        "step `review.llm` got an invalid input: `diff` is missing (no earlier step produces it)"
    )


@pytest.mark.parametrize(
    ("outputs", "options", "field"),
    [
        ([], {"max_tokens": "lots"}, "max_tokens"),
        ([{"number": "seven"}], {}, "number"),
        ([{"diff": ["not", "a", "mapping"]}], {}, "diff"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_field(
    outputs: list[dict[str, Any]], options: dict[str, Any], field: str
) -> None:
    model = NeedsDiff if field == "diff" else ReviewInput

    with pytest.raises(StepInputError) as raised:
        build_input(model, "review.llm", RUN, outputs, options)

    message = str(raised.value)
    assert message.startswith("step `review.llm` got an invalid input: ")
    assert f"`{field}`:" in message
    assert "no earlier step produces it" not in message


def test_every_problem_is_listed_in_one_message() -> None:
    with pytest.raises(StepInputError) as raised:
        build_input(NeedsDiff, "review.publish", {}, [], {})

    message = str(raised.value)
    assert "`repo` is missing" in message
    assert "`diff` is missing" in message


class ApprovalInput(BaseModel):
    """A step whose input is written in the file by its alias, as `with: { from: maintain }`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field("write", alias="from")


def test_a_with_key_written_by_its_alias_reaches_the_step() -> None:
    built = build_input(ApprovalInput, "approval", RUN, [], {"from": "maintain"})

    assert built.model_dump(by_alias=True) == {"from": "maintain"}
