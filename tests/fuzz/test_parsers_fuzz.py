"""The parsers that read what strangers, repositories and maintainers write, fuzzed: every input
is read, or refused with the parser's own error, and never raises anything else; a valid plan
reads back as it was rendered. `python -m benchmarks.fuzz` runs many more cases."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config.load import ConfigError, load_config
from handlers.approval.plans import get_format, plan_hash
from handlers.breakdown import plan_format as breakdown
from handlers.draft import plan_format as draft
from tests.fuzz import surfaces
from tests.fuzz.http_inputs import payload_bodies
from tests.fuzz.text_inputs import PLAN_FORMATS, config_texts, plan_texts, valid_plans

CI = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@CI
@given(payload_bodies())
def test_a_webhook_body_becomes_an_event_or_a_payload_error(delivery: tuple[str, bytes]) -> None:
    outcome = surfaces.payload(*delivery)

    assert outcome.kind == "ok", outcome.detail


@CI
@given(config_texts())
@example("!!omap")  # each of these raised from inside ruamel instead of a ConfigError
@example("version: 1\nllm: { model: !!bool maybe }\n")
@example("version: !!timestamp 2001-13-45\n")
@example("version: 1\nworkflows: !!omap [{a: 1}, {a: 2}]\n")
@example("version: 1\nx: " + "[" * 1000 + "]" * 1000 + "\n")
def test_a_repository_config_is_read_or_refused_with_a_config_error(text: str) -> None:
    outcome = surfaces.config(text)

    assert outcome.kind == "ok", outcome.detail


def test_a_value_its_tag_cannot_build_is_reported_at_its_line() -> None:
    text = "version: 1\nllm:\n  model: !!int gpt\n"

    with pytest.raises(ConfigError) as refused:
        load_config(text, steps=surfaces.step_inputs())

    assert str(refused.value) == (
        ".github/baton.yml line 3, column 10: the value is not a valid `!!int`; remove the tag"
    )


def test_a_config_nested_deeper_than_the_reader_goes_is_refused() -> None:
    lists_in_lists = "version: 1\nx:\n" + "".join(f"{' ' * n}-\n" for n in range(1, 2000))

    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(lists_in_lists, steps=surfaces.step_inputs())


@pytest.mark.parametrize("name", PLAN_FORMATS)
@CI
@given(data=st.data())
def test_an_edited_plan_is_read_or_refused_with_a_plan_parse_error(
    name: str, data: st.DataObject
) -> None:
    outcome = surfaces.plan(name, data.draw(plan_texts(name), label="comment"))

    assert outcome.kind == "ok", outcome.detail


@pytest.mark.parametrize("name", PLAN_FORMATS)
@CI
@given(data=st.data())
def test_a_valid_plan_reads_back_as_it_was_rendered(name: str, data: st.DataObject) -> None:
    outcome = surfaces.round_trip(name, data.draw(valid_plans(name), label="plan"))

    assert outcome.kind == "ok", outcome.detail


def test_an_unedited_breakdown_with_paragraphs_and_lists_is_approved_by_its_shown_hash() -> None:
    task = {"title": "Add a cache", "body": "Why: slow.\n\nSteps:\n- add a dict", "acceptance": []}
    shown = breakdown.BreakdownPlan.model_validate({"tasks": [task]}).model_dump(mode="json")

    read = get_format("breakdown").parse(breakdown.render(shown))

    assert plan_hash(read) == plan_hash(shown)
    assert read["tasks"][0]["acceptance"] == []  # the list stayed in the body


def test_an_unedited_draft_whose_reasons_span_lines_is_approved_by_its_shown_hash() -> None:
    planned = {"path": "app.py", "action": "modify", "why": "Cache it.\nThen test it."}
    shown = draft.DraftPlan.model_validate({"approach": "x", "files": [planned]}).model_dump()

    read = get_format("draft").parse(draft.render(shown))

    assert plan_hash(read) == plan_hash(shown)


def test_a_planned_path_that_would_end_early_in_the_plan_is_refused() -> None:
    for path in ("src/`app`.py", "src/app\u2028.py"):
        with pytest.raises(ValueError, match="written plainly"):
            draft.PlannedFile(path=path, action="create", why="")


def test_a_breakdown_task_on_a_64_kb_line_is_read_without_backtracking() -> None:
    # A task line's title pattern backtracked: 20 s of CPU for a line of GitHub's largest
    # comment. Now it takes a millisecond: 10 s is ten thousand times that.
    line = "- [x] a" + " " * 65_536 + "b"

    outcome = surfaces.plan("breakdown", line, timeout=10.0)

    assert outcome.kind == "ok", outcome.detail
