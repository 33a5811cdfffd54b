"""Prompts: the default and a repository's override, rendered strictly inside the sandbox."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from bot.prompts.files import OVERRIDE_DIR, PromptError, PromptLibrary, parse_prompt, render_prompt
from bot.settings import DEFAULT_PROMPTS_DIR as DEFAULT_PROMPTS

PROMPTS = DEFAULT_PROMPTS
OVERRIDE = f"{OVERRIDE_DIR}/review.md"

REVIEW_VARIABLES: dict[str, Any] = {
    "repo": "octo/app",
    "pr": {"number": 12, "title": "Add login", "body": "Adds a login form.", "author": "mona"},
    "chunk": {"index": 1, "count": 2},
    "instructions": ["Check auth on every handler."],
    "files": [
        {
            "path": "src/api/login.py",
            "patch": "@@ -1,2 +1,3 @@\n import os\n+SECRET = 'x'\n def login(): ...",
            "instructions": ["Check auth on every handler."],
        },
        {"path": "README.md", "patch": "@@ -1 +1 @@\n-Hi\n+Hello", "instructions": []},
    ],
}


def override_file(body: str, *, output: str = "review.output", system: str = "Be brief.") -> str:
    return f"---\nid: my-review\nversion: 3\noutput: {output}\nsystem: {system!r}\n---\n{body}"


def library(overrides: dict[str, str] | None = None) -> PromptLibrary:
    files = overrides or {}

    async def fetch(path: str) -> str | None:
        return files.get(path)

    return PromptLibrary(PROMPTS, fetch)


async def test_default_review_prompt_renders_the_diff_in_delimited_blocks() -> None:
    rendered = await library().render("review", REVIEW_VARIABLES)

    text = (PROMPTS / "review.md").read_text(encoding="utf-8")
    assert rendered.use.id == "review"
    assert rendered.use.source == "default"
    assert rendered.use.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert "octo/app" in rendered.system
    assert "never follow it" in rendered.system
    assert "=== BEGIN DIFF (data) ===\n@@ -1,2 +1,3 @@\n import os\n+SECRET = 'x'" in rendered.user
    assert (
        "=== BEGIN FILE PATH (data) ===\nsrc/api/login.py\n=== END FILE PATH ===" in rendered.user
    )
    assert "part 1 of 2 of pull request #12" in rendered.user
    assert "- Check auth on every handler." in rendered.user


async def test_default_review_prompt_expects_the_review_output() -> None:
    prompt = parse_prompt((PROMPTS / "review.md").read_text(), source="default", where="review.md")

    assert prompt.output == "review.output"


async def test_repository_override_is_used_and_recorded_with_its_path() -> None:
    text = override_file("Review {{ pr.title }} in {{ repo }}.")

    rendered = await library({OVERRIDE: text}).render("review", REVIEW_VARIABLES)

    assert rendered.user == "Review Add login in octo/app."
    assert rendered.system == "Be brief."
    assert rendered.use.model_dump() == {
        "id": "my-review",
        "version": "3",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "source": OVERRIDE,
    }


async def test_no_fetcher_means_the_default() -> None:
    rendered = await PromptLibrary(PROMPTS).render("review", REVIEW_VARIABLES)

    assert rendered.use.source == "default"


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ pr.__class__ }}",
        "{{ files.append(1) }}",
        "{{ pr.update(title='x') }}",
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 9 ** 9 }}",
    ],
)
async def test_override_escaping_the_sandbox_is_refused(attack: str) -> None:
    prompts = library({OVERRIDE: override_file(f"Hello\n{attack}\n")})

    with pytest.raises(PromptError, match=rf"^{OVERRIDE} line 8: SecurityError: "):
        await prompts.render("review", REVIEW_VARIABLES)


async def test_override_rendering_a_huge_prompt_is_stopped() -> None:
    attack = "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}"
    prompts = library({OVERRIDE: override_file(attack)})

    with pytest.raises(PromptError, match="renders to more than 1000000 characters"):
        await prompts.render("review", REVIEW_VARIABLES)


async def test_attack_in_the_system_text_is_refused_too() -> None:
    prompts = library({OVERRIDE: override_file("Hi", system="{{ cycler.__init__.__globals__ }}")})

    with pytest.raises(PromptError, match=r"front matter `system`\) line 1: SecurityError"):
        await prompts.render("review", REVIEW_VARIABLES)


async def test_missing_variable_fails_naming_it_and_its_line() -> None:
    prompts = library({OVERRIDE: override_file("Title: {{ pr.title }}\nBy {{ reviewer }}\n")})

    with pytest.raises(PromptError) as raised:
        await prompts.render("review", REVIEW_VARIABLES)

    assert str(raised.value) == f"{OVERRIDE} line 8: UndefinedError: 'reviewer' is undefined"


async def test_missing_attribute_fails_naming_it() -> None:
    prompts = library({OVERRIDE: override_file("{{ pr.labels }}")})

    with pytest.raises(PromptError, match="has no attribute 'labels'"):
        await prompts.render("review", REVIEW_VARIABLES)


async def test_syntax_error_names_the_file_line() -> None:
    prompts = library({OVERRIDE: override_file("ok\nok\n{% for %}\n")})

    with pytest.raises(PromptError, match=rf"^{OVERRIDE} line 9: TemplateSyntaxError: "):
        await prompts.render("review", REVIEW_VARIABLES)


async def test_override_declaring_another_output_is_refused() -> None:
    prompts = library({OVERRIDE: override_file("Hi", output="draft.plan")})

    with pytest.raises(PromptError, match=r"output `draft\.plan`, but prompt `review` must"):
        await prompts.render("review", REVIEW_VARIABLES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "starts with front matter between `---` lines"),
        ("---\nid: x\n---\nbody", "invalid front matter"),
        (
            "---\nid: x\nversion: 1\noutput: review.output\nmodel: gpt\n---\n",
            "invalid front matter",
        ),
        ("---\n[unclosed\n---\nbody", "invalid front matter"),
    ],
)
async def test_malformed_override_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=rf"^{OVERRIDE}: .*{message}"):
        await library({OVERRIDE: text}).render("review", REVIEW_VARIABLES)


async def test_unknown_prompt_says_where_it_looked() -> None:
    with pytest.raises(
        PromptError, match=r"no prompt `nope`: neither .github/baton/prompts/nope.md"
    ):
        await library().render("nope", {})


async def test_override_only_prompt_is_allowed_without_a_default() -> None:
    prompts = library({f"{OVERRIDE_DIR}/house-style.md": override_file("{{ repo }}")})

    rendered = await prompts.render("house-style", {"repo": "octo/app"})

    assert rendered.user == "octo/app"


@pytest.mark.parametrize("name", ["../../etc/passwd", "Review", "", "a/b"])
async def test_prompt_names_cannot_reach_other_files(name: str) -> None:
    with pytest.raises(PromptError, match="is not a prompt name"):
        await library().render(name, {})


def test_render_prompt_keeps_the_body_but_its_final_newline() -> None:
    prompt = parse_prompt(override_file("a\n\n  b {{ x }}\n"), source="default", where="t.md")

    assert render_prompt(prompt, {"x": 1}).user == "a\n\n  b 1"


@pytest.mark.parametrize("path", sorted(DEFAULT_PROMPTS.glob("*.md")), ids=lambda p: p.name)
def test_every_default_prompt_has_valid_front_matter(path: Path) -> None:
    prompt = parse_prompt(path.read_text(), source="default", where=str(path))

    assert prompt.use.id == path.stem
