"""Short replies Baton posts in a conversation, each with a hidden marker that keeps it single."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    undefined=StrictUndefined,
)


def reply_marker(delivery_id: str) -> str:
    return f"<!-- baton:reply {delivery_id} -->"


def refusal_text(user: str, command: str, required: str, role: str, marker: str) -> str:
    template = _env.get_template("refusal.md.j2")
    return template.render(user=user, command=command, required=required, role=role, marker=marker)
