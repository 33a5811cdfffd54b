"""Plans people approve: each kind renders as editable Markdown and parses back, validated."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.engine.markers import PLAN_END, PLAN_START


class PlanParseError(ValueError):
    """An edited plan could not be read back; the message says where and what was expected."""


@dataclass(frozen=True)
class PlanFormat:
    name: str
    render: Callable[[dict[str, Any]], str]  # the plan as Markdown a maintainer may edit
    parse: Callable[[str], dict[str, Any]]  # that Markdown, edited or not, back to the plan
    understood: Callable[[dict[str, Any]], str]  # one line saying what Baton read


_FORMATS: dict[str, PlanFormat] = {}


def register_format(plan_format: PlanFormat) -> PlanFormat:
    _FORMATS[plan_format.name] = plan_format
    return plan_format


def get_format(name: str) -> PlanFormat:
    if name not in _FORMATS:
        raise KeyError(f"no plan format {name!r}; known: {sorted(_FORMATS)}")
    return _FORMATS[name]


def one_line(text: object) -> object:
    """Text on one line, single-spaced, for a plan's one-line fields (a pydantic before-
    validator: anything but text is left for the field's type to refuse)."""
    return " ".join(text.split()) if isinstance(text, str) else text


def plan_hash(plan: dict[str, Any]) -> str:
    """A short content hash of the plan as parsed, so an approval names exactly what it approves."""
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


def plan_section(comment_body: str) -> str:
    """The editable part of an approval comment, between its two markers."""
    start, end = comment_body.find(PLAN_START), comment_body.find(PLAN_END)
    if start < 0 or end < start:
        raise PlanParseError("the plan's markers were removed from the comment; restore them")
    return comment_body[start + len(PLAN_START) : end].strip("\n")
