"""Text Baton did not write (issues, PR bodies, model answers), made safe to show a model or to
post on GitHub: what GitHub hides is shown, and what would ping or steer is defused.

Inside a code span or a fenced block GitHub renders nothing: `@user` pings no one, `#1` links
nothing and HTML is shown as text. What remains is making sure the text cannot close the span
or the fence early, which it could with a backtick run as long as the delimiter.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.engine import markers

M = TypeVar("M", bound=BaseModel)

# GitHub renders nothing of `<!-- … -->`, so an issue can carry instructions no maintainer sees
# but a model reads; an unclosed one hides the rest of the text.
_HIDDEN = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
# A user or team mention as GitHub links it: not after a word character (an e-mail address).
_MENTION = re.compile(r"(?<![\w`@/])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)


def hidden_comments_shown(text: str) -> str:
    """`text` for a model, each hidden HTML comment spelled out as what it is."""
    return _HIDDEN.sub(lambda m: f"[hidden HTML comment: {m.group(1).strip()}]", text)


def _mentions_defused(prose: str) -> str:
    """Mentions in prose (not code) as code spans: shown, but nobody is pinged."""
    out, last = [], 0
    for span in _CODE_SPAN.finditer(prose):
        out.append(_MENTION.sub(lambda m: f"`{m.group(0)}`", prose[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(_MENTION.sub(lambda m: f"`{m.group(0)}`", prose[last:]))
    return "".join(out)


def _prose_and_code(text: str) -> list[tuple[bool, str]]:
    """`text` cut into (is_code, part) by fenced code blocks, whose text GitHub never links."""
    parts: list[tuple[bool, str]] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        opened = _FENCE.match(line)
        in_code = fence is not None or opened is not None
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)):
            fence = None
        if parts and parts[-1][0] == in_code:
            parts[-1] = (in_code, parts[-1][1] + line)
        else:
            parts.append((in_code, line))
    return parts


def for_github(text: str) -> str:
    """Model text as Baton may post it: no markers, and no mention that pings anyone."""
    clean = markers.forged_removed(text)
    return "".join(p if code else _mentions_defused(p) for code, p in _prose_and_code(clean))


def _postable(value: Any, code_fields: frozenset[str], field: str = "") -> Any:
    if isinstance(value, str):
        return markers.forged_removed(value) if field in code_fields else for_github(value)
    if isinstance(value, list):
        return [_postable(item, code_fields, field) for item in value]
    if isinstance(value, dict):
        return {key: _postable(item, code_fields, key) for key, item in value.items()}
    return value


def postable(answer: M, code_fields: frozenset[str] = frozenset()) -> M:
    """A model's structured answer with every text made `for_github`; the fields named in
    `code_fields` are code (a suggested line): only their markers go."""
    cleaned = _postable(answer.model_dump(mode="json"), code_fields)
    return type(answer).model_validate(cleaned)


_BACKTICKS = re.compile(r"`+")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code_span(text: str) -> str:
    """`text` on one line as an inline code span (not for table cells: a pipe ends those)."""
    flat = " ".join(text.split())
    ticks = "`" * (_longest_backtick_run(flat) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fenced(text: str, info: str = "") -> str:
    """`text` as a fenced code block whose fence is longer than any backtick run in it."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"
