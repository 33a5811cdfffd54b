"""Short replies Baton posts in a conversation, each with a hidden marker that keeps it single."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.engine.untrusted import code_span, fenced
from bot.prompts.templates import markdown_templates

_env = markdown_templates(
    Path(__file__).resolve().parents[1] / "templates", code=code_span, fenced=fenced
)


def refusal_text(
    user: str, command: str, required: str, role: str, marker: str, label: str = ""
) -> str:
    """Why `user` may not run `command` (or, with `label`, start a workflow by that label)."""
    template = _env.get_template("refusal.md.j2")
    values = {"command": command, "required": required, "role": role, "label": label}
    return template.render(user=user, marker=marker, **values)


def render_reply(template: str, **values: Any) -> str:
    """A reply from `bot/templates/<template>`; untrusted text goes through the `code` or
    `fenced` filters, which show it literally."""
    return _env.get_template(template).render(**values)
