"""Showing untrusted text in a GitHub comment as literal text: no pings, links or formatting.

Inside a code span or a fenced block GitHub renders nothing: `@user` pings no one, `#1` links
nothing and HTML is shown as text. What remains is making sure the text cannot close the span
or the fence early, which it could with a backtick run as long as the delimiter.
"""

from __future__ import annotations

import re

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
