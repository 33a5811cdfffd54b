"""The `/baton` replies: what they list, and that text from a config is shown, never rendered."""

from __future__ import annotations

import re

from bot.config.load import load_config_unchecked
from bot.dispatch.commands.replies import config_text, help_text
from bot.dispatch.repo_config import RepoConfig
from bot.engine.untrusted import code_span, fenced

CONFIG = """\
version: 1
commands: { allowed: maintain }
workflows:
  ship:
    description: "@octo/team ```\\n# heading <img src=x>"
    on: [/ship, "pull_request.labeled:ship `it`"]
    steps:
      - uses: approval
        with: { from: admin }
  plan:
    on: [/plan]
    steps:
      - uses: approval
"""


def config() -> RepoConfig:
    return RepoConfig(sha="a" * 40, config=load_config_unchecked(CONFIG))


def test_help_says_who_may_run_commands_and_answer_approvals() -> None:
    body = help_text(config().config, "<!-- m -->", lambda: "maintain", unknown=False)

    assert "| `/ship` | starts `ship` | maintain or higher |" in body
    assert "admin or higher (`ship`); maintain or higher (`plan`)" in body
    assert "| `/baton config` | show the config in force" in body


def test_a_label_with_backticks_stays_inside_its_code_span() -> None:
    body = help_text(config().config, "<!-- m -->", lambda: "maintain", unknown=False)

    assert "- `ship` on `` pull_request.labeled:ship `it` ``" in body


def test_config_text_from_the_file_is_fenced_longer_than_any_backtick_run_in_it() -> None:
    body = config_text("octo/demo", "main", config(), "<!-- m -->")

    fence = re.search(r"^(`{3,})yaml$", body, re.MULTILINE)
    assert fence is not None and len(fence.group(1)) == 4
    inside = body.split(fence.group(0), 1)[1].split("\n" + fence.group(1) + "\n", 1)[0]
    assert "@octo/team ```" in inside  # shown as text: no ping, no early end of the block
    assert body.rstrip().endswith(fence.group(1))


def test_code_span_and_fence_contain_whatever_they_are_given() -> None:
    assert code_span("a `b` c") == "``a `b` c``"
    assert code_span("`x") == "`` `x ``"
    assert code_span("two\nlines") == "`two lines`"
    assert fenced("``````", "text") == "```````text\n``````\n```````"
