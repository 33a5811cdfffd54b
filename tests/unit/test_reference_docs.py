"""The generated reference pages say what the code says: the config schema and the step types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.model import config_json_schema
from bot.engine.registry import registered
from bot.reference.config_page import config_reference, section_paths
from bot.reference.pages import MissingMarkers, stale_pages, with_steps
from bot.reference.steps_page import built_in, steps_reference
from bot.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_reference_pages_are_current_with_the_schema_and_the_registry() -> None:
    stale = [path.name for path in stale_pages(DOCS)]
    assert stale == [], f"out of date: {stale}; run ./scripts/gen-docs and commit the result"


def test_every_key_of_the_config_file_has_a_row_under_its_path() -> None:
    schema = config_json_schema()
    page = config_reference(schema)
    paths = section_paths(schema)
    for name, definition in schema["$defs"].items():
        section = page.split(f"## `{paths[name]}`\n", 1)[1].split("\n## ", 1)[0]
        for key in definition["properties"]:
            assert f"| `{key}` |" in section, (paths[name], key)
    for key in schema["properties"]:
        assert f"| `{key}` |" in page.split("## The file\n", 1)[1]


def test_every_trigger_form_is_listed_with_the_workflow_keys() -> None:
    page = config_reference(config_json_schema())
    on = re.search(r"`on`: What starts the workflow\. One of: (.+)\.\n", page)
    assert on is not None
    assert {"pull_request.opened", "/COMMAND", 'schedule:"CRON"', "api"} <= set(on[1].split(", "))


def test_every_built_in_step_type_is_listed_with_its_inputs_and_outputs() -> None:
    steps = built_in(registered())
    page = steps_reference(steps)
    assert {spec.name for spec in steps} >= {"pr.diff", "review.llm", "approval", "draft.write"}
    for spec in steps:
        section = page.split(f"### `{spec.name}`\n", 1)[1].split("\n### ", 1)[0]
        for field in spec.input.model_json_schema(by_alias=True)["properties"]:
            assert f"| `{field}` |" in section, (spec.name, field)
        for field in spec.output.model_fields:
            assert f"`{field}` (" in section, (spec.name, field)


def test_an_input_another_step_puts_out_says_which_step() -> None:
    page = steps_reference(built_in(registered()))
    llm = page.split("### `review.llm`\n", 1)[1].split("\n### ", 1)[0]
    assert re.search(r"\| `diff` \| PullRequestDiff \| \*\*required\*\* \| `pr\.diff` \|", llm)
    assert re.search(r"\| `repo` \| text \| \*\*required\*\* \| the run \|", llm)


def test_the_steps_part_replaces_only_the_text_between_its_markers() -> None:
    page = (DOCS / "prompts-and-workflows.md").read_text(encoding="utf-8")
    head, _, tail = page.partition("<!-- step types")
    updated = with_steps(page, "### `x`\n")
    assert updated.startswith(head) and updated.endswith(tail.rpartition("-->")[2])
    assert "### `x`" in updated and "### `pr.diff`" not in updated
    with pytest.raises(MissingMarkers, match=r"prompts-and-workflows\.md needs the lines"):
        with_steps("# a page without markers\n", "### `x`\n")


def test_every_setting_is_in_the_deployment_guide() -> None:
    guide = (DOCS / "deployment.md").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in guide]
    assert missing == [], f"docs/deployment.md does not say what these do: {missing}"
