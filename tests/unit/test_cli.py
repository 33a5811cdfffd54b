"""The `baton` command as a user runs it: check a config file, print its schema, the version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import bot
from tests.unit.test_config import DESIGN_EXAMPLE

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]

VALID = """\
version: 1
workflows:
  review:
    on: [pull_request.opened, /review]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.llm
        with: { instructions: { "src/**": "Check auth." }, chunk_tokens: 8000 }
      - uses: review.publish
"""

# A mistyped trigger on line 4 and a mistyped step on line 7.
TWO_MISTAKES = """\
version: 1
workflows:
  review:
    on: [pull_request.opend, /review]
    steps:
      - uses: pr.diff
      - uses: review.lm
      - uses: review.publish
"""

# `steps` is indented one space short of `on`.
BAD_INDENT = """\
version: 1
workflows:
  review:
    on: [/review]
   steps:
      - uses: pr.diff
"""


def baton(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `baton ARGS` in `cwd`, as a separate process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(directory: Path, name: str, text: str) -> str:
    (directory / name).write_text(text, encoding="utf-8")
    return name


def test_config_check_says_a_valid_file_is_valid(tmp_path: Path) -> None:
    result = baton("config", "check", write(tmp_path, "baton.yml", VALID), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "baton.yml: valid\n"
    assert result.stderr == ""


def test_config_check_lists_every_problem_with_its_position_and_a_suggestion(
    tmp_path: Path,
) -> None:
    result = baton("config", "check", write(tmp_path, "baton.yml", TWO_MISTAKES), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "baton.yml line 4, column 10: workflows.review.on[0]: unknown trigger "
        "`pull_request.opend` (did you mean `pull_request.opened`?)",
        "baton.yml line 7, column 15: workflows.review.steps[1].uses: unknown step "
        "`review.lm` (did you mean `review.llm`?)",
    ]


def test_config_check_points_at_a_yaml_syntax_error(tmp_path: Path) -> None:
    result = baton("config", "check", write(tmp_path, "baton.yml", BAD_INDENT), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("baton.yml line 5, column 4: ")
    assert "Traceback" not in result.stderr


def test_config_check_of_a_missing_file_says_so_and_exits_2(tmp_path: Path) -> None:
    result = baton("config", "check", "nowhere.yml", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr == "nowhere.yml: no such file\n"
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["directory", "not UTF-8"])
def test_config_check_of_an_unreadable_path_says_why_without_a_traceback(
    tmp_path: Path, kind: str
) -> None:
    if kind == "directory":
        (tmp_path / ".github").mkdir()
        name = ".github"
    else:
        (tmp_path / "baton.yml").write_bytes(b"version: 1\n# \xff\xfe\n")
        name = "baton.yml"

    result = baton("config", "check", name, cwd=tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{name}: ")


def printed_schema(tmp_path: Path) -> dict[str, object]:
    result = baton("config", "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema: dict[str, object] = json.loads(result.stdout)
    return schema


def test_config_schema_is_a_json_schema_that_accepts_the_design_example(tmp_path: Path) -> None:
    schema = printed_schema(tmp_path)
    validator_class = jsonschema.validators.validator_for(schema)

    validator_class.check_schema(schema)
    assert validator_class is jsonschema.Draft202012Validator
    errors = list(validator_class(schema).iter_errors(YAML(typ="safe").load(DESIGN_EXAMPLE)))
    assert [error.message for error in errors] == []


@pytest.mark.parametrize(
    ("mistake", "fixed"),
    [
        ("  weekly-triage:", "  Weekly-Triage:"),  # workflow names are lowercase
        ("- uses: review.publish", "- use: review.publish"),  # unknown key in a step
        ("commands: { allowed: write }", "commands: { allowed: everyone }"),
    ],
)
def test_config_schema_refuses_what_an_editor_should_underline(
    tmp_path: Path, mistake: str, fixed: str
) -> None:
    schema = printed_schema(tmp_path)
    document = YAML(typ="safe").load(DESIGN_EXAMPLE.replace(mistake, fixed))

    assert not jsonschema.Draft202012Validator(schema).is_valid(document)


@pytest.mark.parametrize("setting", ["drafts: yes", 'drafts: "true"'])
def test_config_check_and_the_schema_agree_on_loosely_typed_values(
    tmp_path: Path, setting: str
) -> None:
    text = VALID.replace("    steps:\n", f"    {setting}\n    steps:\n", 1)
    checked = baton("config", "check", write(tmp_path, "baton.yml", text), cwd=tmp_path)
    schema = printed_schema(tmp_path)

    schema_accepts = jsonschema.Draft202012Validator(schema).is_valid(YAML(typ="safe").load(text))
    assert (checked.returncode == 0) == schema_accepts, checked.stderr


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = baton("--version", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout == f"baton {bot.__version__}\n"


def test_worker_on_sqlite_says_it_needs_postgresql_and_exits(tmp_path: Path) -> None:
    result = baton("worker", "--executor-id", "w1", cwd=tmp_path)

    assert result.returncode == 2
    assert "DATABASE_URL=postgresql://" in result.stderr


def test_serve_with_bad_settings_names_each_and_exits_without_a_traceback(tmp_path: Path) -> None:
    bad = {"BATON_ADMIN_TOKEN": "hunter2", "BATON_DISPATCH_CONCURRENCY": "0"}
    env = {**os.environ, "PYTHONPATH": str(ROOT), **bad}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "baton serve: BATON_ADMIN_TOKEN is 7 characters long; use at least 24" in lines[0]
    assert "secrets.token_urlsafe(32)" in lines[0]
    assert lines[1] == "baton serve: BATON_DISPATCH_CONCURRENCY: Input should be greater than 0"


def test_a_token_of_24_characters_is_taken_and_an_empty_one_leaves_the_pages_closed() -> None:
    from bot.settings import Settings
    from bot.web.pages_auth import admin_token

    assert admin_token(Settings(_env_file=None, baton_admin_token="x" * 24)) == "x" * 24
    assert admin_token(Settings(_env_file=None, baton_admin_token="")) is None
