"""The process that renders repository prompts: capped in memory, stopped when it runs too
long, and back for the next prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.prompts import sandbox as prompt_sandbox
from bot.prompts.files import OVERRIDE_DIR, PromptError, parse_prompt, render_prompt

OVERRIDE = f"{OVERRIDE_DIR}/review.md"
SECRETS = {
    "GITHUB_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow-not-a-real-key",
    "GITHUB_WEBHOOK_SECRET": "webhook-secret-the-child-must-not-hold",
    "OPENAI_API_KEY": "sk-llm-key-the-child-must-not-hold",
    "BATON_ADMIN_TOKEN": "admin-token-the-child-must-not-hold",
}
LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def override(body: str) -> str:
    text = f"---\nid: attack\nversion: 1\noutput: review.output\n---\n{body}\n"
    return render_prompt(parse_prompt(text, source=OVERRIDE, where=OVERRIDE), {"x": 1}).user


def address_space_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return int(line.split()[3])
    raise AssertionError("no address-space line")


def test_an_override_renders_in_a_process_with_an_address_space_limit() -> None:
    assert override("{{ x + 1 }}") == "2"

    pid = prompt_sandbox.render_process_id()
    assert pid is not None
    limit = address_space_limit(pid)
    budget = prompt_sandbox.DEFAULT_MEGABYTES * 2**20
    assert budget < limit < budget + 2 * 2**30  # its own footprint plus the budget


def test_a_render_that_runs_too_long_is_stopped_and_the_next_one_renders() -> None:
    with pytest.raises(PromptError, match=f"^{OVERRIDE}: rendering took longer than"):
        override(LOOPS)
    assert prompt_sandbox.render_process_id() is None  # killed

    assert override("{{ x }} again") == "1 again"


def test_baton_s_own_prompts_render_in_process() -> None:
    text = "---\nid: review\nversion: 1\noutput: review.output\n---\n{{ x }}\n"
    prompt = parse_prompt(text, source="default", where="bot/prompts/defaults/review.md")
    prompt_sandbox.configure(prompt_sandbox.Limits())  # stops any render process

    assert render_prompt(prompt, {"x": 3}).user == "3"
    assert prompt_sandbox.render_process_id() is None


def test_the_render_process_holds_none_of_baton_s_secrets_wherever_baton_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # not the source tree: the child finds Baton as installed
    prompt_sandbox.stop()  # the next render starts a child from this environment
    try:
        assert override("{{ x }} rendered") == "1 rendered"
        pid = prompt_sandbox.render_process_id()
        assert pid is not None
        environment = Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        prompt_sandbox.stop()

    assert [name for name, value in SECRETS.items() if value.encode() in environment] == []
