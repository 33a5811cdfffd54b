"""`.github/baton.yml`: what parses, and how each kind of mistake is reported."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from bot.config.defaults import DEFAULT_CONFIG_YAML, DEFAULT_PATH, default_config
from bot.config.load import ConfigError, load_config
from bot.config.model import BatonConfig, Trigger, config_json_schema


class NoInput(BaseModel):
    pass


class ReviewLLMInput(BaseModel):
    instructions: dict[str, str] = {}
    max_comments: int = 20


class ApprovalInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field("maintain", alias="from")
    timeout: str = "3d"


STEPS: dict[str, type[BaseModel]] = {
    **{
        name: NoInput
        for name in [
            "pr.diff",
            "review.checks",
            "review.publish",
            "issue.read",
            "draft.plan",
            "draft.write",
            "draft.open_pr",
            "breakdown.propose",
            "breakdown.create",
        ]
    },
    "review.llm": ReviewLLMInput,
    "approval": ApprovalInput,
}

# DESIGN.md's example; its `steps: [...]` placeholder is filled in and the `llm` line wrapped.
DESIGN_EXAMPLE = """\
# .github/baton.yml
version: 1
extends: my-org/.github          # optional: org defaults, merged under this file
llm: { provider: openai, model: gpt-4.1-mini,
       budget: { tokens_per_run: 200000, tokens_per_pr: 600000 } }
commands: { allowed: write }      # who may run slash-commands: read|triage|write|maintain|admin
workflows:
  review:
    on: [pull_request.opened, pull_request.synchronize, pull_request.ready_for_review, /review]
    paths: { exclude: ["**/*.lock", "dist/**"] }
    steps:
      - uses: pr.diff
      - uses: review.checks        # deterministic: secrets, size, missing tests
      - uses: review.llm
        prompt: review             # prompts/review.md or .github/baton/prompts/review.md
        with: { instructions: { "src/api/**": "Check auth on every handler." } }
      - uses: review.publish
  draft:
    on: [/draft, issues.labeled:baton-draft]
    steps:
      - uses: issue.read
      - uses: draft.plan
      - uses: approval
        with: { from: maintain, timeout: 7d }
      - uses: draft.write
      - uses: draft.open_pr
  breakdown:
    on: [/breakdown]
    steps:
      - uses: issue.read
      - uses: breakdown.propose
      - uses: approval
      - uses: breakdown.create
  weekly-triage:
    on: [schedule:"0 9 * * 1", api]
    steps: [{ uses: issue.read }]
"""

MINIMAL = """\
version: 1
workflows:
  review:
    on: [/review]
    steps:
      - uses: pr.diff
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(text, steps=STEPS)
    return [str(problem) for problem in raised.value.problems]


def test_design_example_parses() -> None:
    config = load_config(DESIGN_EXAMPLE, steps=STEPS)

    assert config.extends == "my-org/.github"
    assert config.llm.budget.tokens_per_pr == 600000
    assert config.commands.allowed == "write"
    assert list(config.workflows) == ["review", "draft", "breakdown", "weekly-triage"]
    review = config.workflows["review"]
    assert [str(t) for t in review.on] == [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "/review",
    ]
    assert review.paths.exclude == ["**/*.lock", "dist/**"]
    assert review.steps[2].prompt == "review"
    assert review.steps[2].with_ == {"instructions": {"src/api/**": "Check auth on every handler."}}
    assert config.workflows["draft"].steps[2].with_ == {"from": "maintain", "timeout": "7d"}
    assert [str(t) for t in config.workflows["weekly-triage"].on] == ['schedule:"0 9 * * 1"', "api"]


def test_unknown_step_is_reported_at_its_value_with_a_suggestion() -> None:
    text = DESIGN_EXAMPLE.replace("- uses: review.llm", "- uses: review.lm")

    assert problems_of(text) == [
        ".github/baton.yml line 14, column 15: workflows.review.steps[2].uses: "
        "unknown step `review.lm` (did you mean `review.llm`?)"
    ]


def test_unknown_step_without_a_close_name_lists_the_known_ones() -> None:
    (problem,) = problems_of(MINIMAL.replace("pr.diff", "zzz"))

    assert "unknown step `zzz`; expected one of: approval, breakdown.create" in problem


def test_unknown_with_key_is_reported_at_the_key_with_the_valid_ones() -> None:
    text = MINIMAL.replace("- uses: pr.diff", "- uses: approval\n        with: { form: admin }")

    assert problems_of(text) == [
        ".github/baton.yml line 7, column 17: workflows.review.steps[0].with.form: "
        "unknown input `form` for `approval` (did you mean `from`?)"
    ]
    text = MINIMAL.replace("- uses: pr.diff", "- uses: review.llm\n        with: { zzz: 1 }")
    assert problems_of(text)[0].endswith(
        "unknown input `zzz` for `review.llm`; expected one of: instructions, max_comments"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nworkflows: [\n", ".github/baton.yml line 3, column 1: "),
        ("version: 1\nworkflows:\n\treview: {}\n", ".github/baton.yml line 3, column 1: "),
        ("version: 1\nversion: 1\n", 'line 2, column 1: found duplicate key "version"'),
        ("version: 1\nllm: provider: openai\n", "line 2, column 14: mapping values"),
    ],
)
def test_yaml_syntax_error_gives_line_and_column(text: str, expected: str) -> None:
    (problem,) = problems_of(text)

    assert expected in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1, column 1: the file is empty; it needs at least `version: 1`"),
        ("# only a comment\n", "line 1, column 1: the file is empty"),
        (
            "- version: 1\n",
            "expected a mapping of settings (`version`, `workflows`, ...), got a list",
        ),
        ("just text\n", "got `just text`"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_refused(text: str, expected: str) -> None:
    (problem,) = problems_of(text)

    assert expected in problem


def test_wrong_type_gives_location_and_line() -> None:
    text = MINIMAL.replace("    on: [/review]\n", "    on: [/review]\n    drafts: maybe\n")

    assert problems_of(text) == [
        ".github/baton.yml line 5, column 13: workflows.review.drafts: "
        "expected true or false, got `maybe`"
    ]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = """\
version: 2
colour: blue
llm: { provider: openia }
workflows:
  Review:
    on: [pull_request.opend, "schedule:0 9 * *"]
    paths: { exclude: ["!"] }
    steps:
      - uses: review.lm
      - uses: pr.diff
        prompt: ../etc/passwd
  empty:
    on: [api]
"""
    problems = problems_of(text)

    assert [p.split(": ")[0] for p in problems] == [
        ".github/baton.yml line 1, column 10",
        ".github/baton.yml line 2, column 1",
        ".github/baton.yml line 3, column 18",
        ".github/baton.yml line 5, column 3",
        ".github/baton.yml line 6, column 10",
        ".github/baton.yml line 6, column 30",
        ".github/baton.yml line 7, column 24",
        ".github/baton.yml line 9, column 15",
        ".github/baton.yml line 11, column 17",
        ".github/baton.yml line 12, column 3",
    ]
    joined = "\n".join(problems)
    assert "version: Input should be 1, got `2`" in joined
    assert "colour: unknown key `colour`; expected one of: commands, extends, llm" in joined
    assert "workflows.Review: expected a name of lowercase letters" in joined
    assert (
        "on[0]: unknown trigger `pull_request.opend` (did you mean `pull_request.opened`?)"
        in joined
    )
    assert "workflows.Review.paths.exclude[0]: `!` is not a valid gitignore-style pattern" in joined
    assert "workflows.empty.steps: `steps` is required" in joined


def test_error_names_the_file_it_was_given() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config("version: 3\n", path="org/.github/baton.yml", steps=STEPS)

    assert str(raised.value).startswith("org/.github/baton.yml line 1, column 10: version: ")


def test_on_is_read_as_the_triggers_key_not_a_boolean() -> None:
    config = load_config(MINIMAL, steps=STEPS)

    assert [str(t) for t in config.workflows["review"].on] == ["/review"]


def test_on_read_as_true_by_a_yaml_1_1_reader_is_accepted() -> None:
    from_pyyaml: dict[Any, Any] = {
        "version": 1,
        "workflows": {"review": {True: ["/review"], "steps": [{"uses": "pr.diff"}]}},
    }
    config = BatonConfig.model_validate(from_pyyaml)
    assert str(config.workflows["review"].on[0]) == "/review"

    text = "%YAML 1.1\n---\n" + MINIMAL
    assert str(load_config(text, steps=STEPS).workflows["review"].on[0]) == "/review"


@pytest.mark.parametrize(
    "written",
    [
        '[schedule:"0 9 * * 1", api]',
        "[schedule: '0 9 * * 1', api]",
        "[schedule:0 9 * * 1, api]",
        '\n      - schedule: "0  9 * * 1"\n      - api',
    ],
)
def test_schedule_is_accepted_as_text_or_mapping_and_normalised(written: str) -> None:
    config = load_config(MINIMAL.replace("[/review]", written), steps=STEPS)

    first, second = config.workflows["review"].on
    assert (first.kind, first.cron, str(first)) == ("schedule", "0 9 * * 1", 'schedule:"0 9 * * 1"')
    assert second.kind == "api"


@pytest.mark.parametrize(
    "text",
    [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "pull_request.labeled:needs review",
        "issues.opened",
        "issues.labeled:baton-draft",
        "/review",
        "/draft-pr_2",
        'schedule:"*/15 0-6 * * MON-FRI"',
        "api",
    ],
)
def test_trigger_text_round_trips(text: str) -> None:
    assert str(Trigger.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("push", "unknown trigger `push` (allowed: pull_request.opened, "),
        ("issues.closed", "unknown trigger `issues.closed`"),
        ("issues.labeled", "needs the label's name: `issues.labeled:LABEL`"),
        ("issues.opened:bug", "only `labeled` triggers take a `:LABEL`"),
        ("/Review", "`/Review` is not a command"),
        ("/", "`/` is not a command"),
        ('schedule:"0 9 * *"', "`0 9 * *` is not a cron schedule"),
        ('schedule:"0 9 * * 1; rm"', "is not a cron schedule"),
    ],
)
def test_bad_trigger_says_what_is_allowed(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Trigger.parse(text)


def test_trigger_serialises_back_to_its_text() -> None:
    config = load_config(DESIGN_EXAMPLE, steps=STEPS)

    dumped = config.model_dump(mode="json", by_alias=True)
    assert dumped["workflows"]["draft"]["on"] == ["/draft", "issues.labeled:baton-draft"]
    assert dumped["workflows"]["draft"]["steps"][2]["with"] == {"from": "maintain", "timeout": "7d"}
    assert BatonConfig.model_validate(dumped) == config


def test_paths_select_with_gitignore_patterns() -> None:
    paths = load_config(DESIGN_EXAMPLE, steps=STEPS).workflows["review"].paths

    assert paths.selects("src/api/users.py")
    assert not paths.selects("web/yarn.lock")
    assert not paths.selects("dist/bundle.js")


def test_alias_bomb_is_refused_not_expanded() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    (problem,) = problems_of("version: 1\n" + "\n".join(lines) + "\n")

    assert "the file expands to more than" in problem


def test_json_schema_documents_workflows_and_triggers() -> None:
    schema = json.loads(json.dumps(config_json_schema()))

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"Workflow", "StepConfig", "Paths", "LLMConfig"} <= set(schema["$defs"])
    workflow = schema["$defs"]["Workflow"]
    assert workflow["required"] == ["on", "steps"]
    assert workflow["properties"]["drafts"]["description"]
    triggers = workflow["properties"]["on"]["items"]["anyOf"]
    patterns = [re.compile(t["pattern"]) for t in triggers if "pattern" in t]
    for text in ["pull_request.opened", "issues.labeled:bug", "/review", 'schedule:"0 9 * * 1"']:
        assert any(p.search(text) for p in patterns), text
    workflows = schema["properties"]["workflows"]
    assert workflows["additionalProperties"] is False
    assert list(workflows["patternProperties"].values()) == [{"$ref": "#/$defs/Workflow"}]
    assert "with" in schema["$defs"]["StepConfig"]["properties"]
    refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(schema))
    assert refs and set(refs) <= set(schema["$defs"])


def test_json_schema_is_valid_and_accepts_the_design_example() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(YAML(typ="safe").load(DESIGN_EXAMPLE), schema)


def test_default_config_reviews_pull_requests_and_skips_generated_files() -> None:
    config = default_config()

    review = config.workflows["review"]
    assert [str(t) for t in review.on] == [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "/review",
    ]
    assert [s.uses for s in review.steps] == [
        "pr.diff",
        "review.checks",
        "review.llm",
        "review.publish",
    ]
    assert review.steps[2].prompt == "review"
    assert not review.paths.selects("package-lock.json")
    assert not review.paths.selects("static/app.min.js")
    assert review.paths.selects("src/app.py")


def test_default_config_is_a_fresh_copy_each_time() -> None:
    default_config().workflows.clear()

    assert "review" in default_config().workflows


def test_default_config_uses_only_registered_steps() -> None:
    from bot.engine import registry

    pytest.importorskip("handlers.review")
    known = {name: step.input for name, step in registry.registered().items()}

    load_config(DEFAULT_CONFIG_YAML, path=DEFAULT_PATH, steps=known)


def with_exclude(glob: str) -> str:
    workflow = f'  review:\n    on: [/review]\n    paths: {{ exclude: ["{glob}"] }}\n'
    return f"version: 1\nworkflows:\n{workflow}    steps: [{{ uses: pr.diff }}]\n"


@pytest.mark.parametrize("glob", ["*a*a*b", "src/*x*y*z.py", "**/*.*.*.js"])
def test_a_glob_that_would_make_matching_slow_is_refused(glob: str) -> None:
    text = with_exclude(glob)

    [problem] = problems_of(text)

    assert "more than 2 `*` in one path segment" in problem


@pytest.mark.parametrize("glob", ["**/*.min.*", "src/**/test_*.py", "**/vendor/**"])
def test_everyday_globs_are_kept(glob: str) -> None:
    text = with_exclude(glob)

    load_config(text, steps=STEPS)
