"""Hypothesis strategies for the text Baton parses that repositories and maintainers write:
`.github/baton.yml` (random YAML, valid files changed a little) and plan comments."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st
from pydantic import ValidationError
from ruamel.yaml import YAML

from bot.config.defaults import DEFAULT_CONFIG_YAML
from handlers.approval.plans import get_format
from handlers.breakdown.plan_format import BreakdownPlan
from handlers.draft.diff_plan import DiffPlan
from handlers.draft.plan_format import DraftPlan
from tests.fuzz.json_inputs import mutated

# Every setting the file has, so that changes to it reach every part of the checks.
FULL_CONFIG = """\
version: 1
extends: my-org/.github
llm:
  provider: anthropic
  model: claude-sonnet-4-5
  budget: { tokens_per_run: 1000, tokens_per_pr: unlimited, tokens_per_repo_per_day: 5000 }
  price: { input_per_mtok: 3.0, output_per_mtok: 15 }
commands: { allowed: maintain }
workflows:
  triage:
    description: "Weekly triage."
    on: [api, 'schedule:"0 9 * * 1"', issues.labeled:triage, /triage]
    paths: { include: ["src/**"], exclude: ["**/*.lock"] }
    drafts: true
    steps:
      - uses: issue.read
      - uses: approval
        with: { from: maintain, timeout: 7d }
    deliver: { webhook: "https://hooks.example.com/baton" }
"""
VALID_CONFIGS = (DEFAULT_CONFIG_YAML, FULL_CONFIG)

_YAML_TOKENS = [
    "version:", "workflows:", "on:", "steps:", "- uses:", "with:", "llm:", "budget:", "paths:",
    "deliver:", "commands:", "extends:", "review:", "1", "true", "null", "~", "api", "/review",
    "pull_request.opened", "issues.labeled:x", 'schedule:"0 9 * * 1"', "unlimited", "-1",
    "1e400", ".nan", "&a", "*a", "<<:", "!!binary", "!!omap", "!!set", "!!int", "!!bool",
    "!!timestamp", "!!float", "!foo", "!!python/object:os.system", "2001-12-14", "0x1F", "[",
    "]", "{", "}", ",", ":", "- ", "? ", "|", ">", "'", '"', "#", "%YAML 1.1", "---", "...",
    "\t", "\\", "é", "\x00", "\ufeff", "\x85", "\u2028",
]  # fmt: skip


def _lines(tokens: list[str]) -> st.SearchStrategy[str]:
    line = st.builds(
        lambda indent, parts: "  " * indent + " ".join(parts),
        st.integers(0, 4),
        st.lists(st.sampled_from(tokens) | st.text(max_size=6), max_size=5),
    )
    return st.lists(line, max_size=12).map("\n".join)


@st.composite
def edited(draw: st.DrawFn, text: str, tokens: list[str]) -> str:
    """`text` with a few edits: a token put in, a span cut out, a line doubled."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "double"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(tokens) | st.text(max_size=4)) + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(0, len(lines) - 1))
            text = "".join([*lines[: index + 1], *lines[index:]])
    return text


def _dumped(document: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe").dump(document, out)
    return out.getvalue()


def _plain(text: str) -> Any:
    return YAML(typ="safe").load(text)


def config_texts() -> st.SearchStrategy[str]:
    """What a repository's `.github/baton.yml` may hold, valid or not, YAML or not."""
    valid = st.sampled_from(VALID_CONFIGS)
    changed = st.sampled_from(VALID_CONFIGS).flatmap(lambda text: mutated(_plain(text)))
    return st.one_of(
        _lines(_YAML_TOKENS),
        st.text(max_size=200),
        valid.flatmap(lambda text: edited(text, _YAML_TOKENS)),
        changed.map(_dumped),
    )


# --- plans --------------------------------------------------------------------------------

PLAN_FORMATS = ("draft", "breakdown", "draft-diff")
_PLAN_TOKENS = [
    "**Approach**", "**Files**", "**Risks**", "- [x] ", "- [ ] ", "- [X] ", "`a.py`", "`../x`",
    "`.git/config`", "(modify)", "(create)", "(delete)", "(rename)", ":", "- ", "  ", "  - ",
    "none named", "**", "`", "`0123456789ab`", "`deleted`", "\t", "\r", "\u2028", "\x85",
    "\x00", "é", "<!-- baton:plan-end -->",
]  # fmt: skip
_SEGMENT = st.text(
    st.characters(categories=["L", "N"], include_characters="._-"), min_size=1, max_size=10
)
repository_paths = (
    st.lists(_SEGMENT, min_size=1, max_size=4)
    .filter(lambda parts: not {".", ".."} & set(parts) and parts[0].lower() != ".git")
    .map("/".join)
)
_TEXT = st.text(max_size=60)
_MODELS = {"draft": DraftPlan, "breakdown": BreakdownPlan, "draft-diff": DiffPlan}
_RAW_PLANS = {
    "draft": st.fixed_dictionaries(
        {
            "approach": _TEXT,
            "files": st.lists(
                st.fixed_dictionaries(
                    {
                        "path": repository_paths,
                        "action": st.sampled_from(["modify", "create", "delete"]),
                        "why": _TEXT,
                    }
                ),
                min_size=1,
                max_size=4,
            ),
            "risks": st.lists(_TEXT, max_size=3),
        }
    ),
    "breakdown": st.fixed_dictionaries(
        {
            "tasks": st.lists(
                st.fixed_dictionaries(
                    {
                        "title": _TEXT,
                        "body": st.text(max_size=120),
                        "acceptance": st.lists(_TEXT, max_size=3),
                    }
                ),
                min_size=1,
                max_size=4,
            )
        }
    ),
    "draft-diff": st.fixed_dictionaries(
        {
            "files": st.lists(
                st.fixed_dictionaries(
                    {
                        "path": repository_paths,
                        "sha256": st.from_regex(r"\A[0-9a-f]{12}\Z") | st.just("deleted"),
                    }
                ),
                min_size=1,
                max_size=4,
            )
        }
    ),
}


def _validated(name: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return _MODELS[name].model_validate(raw).model_dump(mode="json")
    except ValidationError:
        return None


def valid_plans(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Plans of format `name` as Baton holds them: what a model answered, once validated."""
    checked = _RAW_PLANS[name].map(lambda raw: _validated(name, raw))
    return checked.filter(lambda plan: plan is not None)  # type: ignore[return-value]


def plan_texts(name: str) -> st.SearchStrategy[str]:
    """What a maintainer may leave of a plan's Markdown: random lines, or a rendered plan
    edited."""
    rendered = valid_plans(name).map(get_format(name).render)
    return (
        _lines(_PLAN_TOKENS)
        | st.text(max_size=200)
        | rendered.flatmap(lambda text: edited(text, _PLAN_TOKENS))
    )
