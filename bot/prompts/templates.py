"""The Jinja environments of Baton's own templates, made one way: Markdown that Baton posts to
GitHub renders in the immutable sandbox, HTML pages autoescape; both refuse an undefined name
and drop the newline after a block tag, so templates read as the text they make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

Filter = Callable[..., Any]
# Both kinds: an undefined name is an error, and a block tag's line leaves no blank line behind.
STRICT: dict[str, Any] = {"undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True}


def markdown_templates(folder: Path, **filters: Filter) -> Environment:
    """Templates of comments, reviews and check runs; the values they are given may be
    untrusted, so they render sandboxed, and keep their last newline as written."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(folder), keep_trailing_newline=True, **STRICT
    )
    env.filters.update(filters)
    return env


def html_templates(folder: Path, **filters: Filter) -> Environment:
    """Templates of Baton's pages: every value is escaped unless a template says otherwise."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=True, **STRICT)
    env.filters.update(filters)
    return env
