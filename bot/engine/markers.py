"""Baton's hidden markers: the `<!-- baton:… -->` comments by which it finds its own words on
GitHub again. Every marker is built here, and read back here; nothing else spells one out.

GitHub shows none of them. A marker opens the body of a comment Baton edits in place (so the
comment is found by its first line), or closes a body Baton made once (an issue, a pull).
"""

from __future__ import annotations

import re

PREFIX = "<!-- baton:"
PLAN_START = "<!-- baton:plan-start -->"  # around the part of an approval comment people edit
PLAN_END = "<!-- baton:plan-end -->"

_APPROVAL = re.compile(r"<!-- baton:approval (\S+)(?: [a-z]+)? -->")
_ANY_LINE = re.compile(r"^[ \t]*<!-- baton:[^>]*-->[ \t]*\n?", re.MULTILINE)
# A marker hidden in text Baton did not write, however it was spaced, cased, split or nested.
_FORGED = re.compile(r"<!--\s*baton:.*?(?:-->|\Z)", re.DOTALL | re.IGNORECASE)
_FORGED_START = re.compile(r"<!--\s*baton:", re.IGNORECASE)


def summary(workflow: str) -> str:
    """The one summary comment a workflow keeps up to date on a pull request."""
    return f"{PREFIX}summary {workflow} -->"


def review(run_id: str) -> str:
    """The review a run posts (found again when its step runs twice)."""
    return f"{PREFIX}review {run_id} -->"


def reply(delivery_id: str) -> str:
    """The one reply to a comment (a refused command, a decision): keyed by its delivery."""
    return f"{PREFIX}reply {delivery_id} -->"


def failure(run_id: str) -> str:
    """The comment that says a run failed, and why."""
    return f"{PREFIX}failure {run_id} -->"


def approval(run_id: str, part: str = "") -> str:
    """A run's approval comment; `part` tells a run's second approval (of a diff, say) from
    its first, so each keeps a comment of its own."""
    return f"{PREFIX}approval {run_id}{' ' + part if part else ''} -->"


def approval_prefix(run_id: str = "") -> str:
    """What every approval comment (of `run_id`, when given) starts with."""
    return f"{PREFIX}approval {run_id + ' ' if run_id else ''}"


def approval_run(body: str) -> str | None:
    """The run an approval comment waits for, when `body` opens with an approval marker."""
    found = _APPROVAL.match(body)
    return found.group(1) if found else None


def breakdown(run_id: str) -> str:
    """The comment on a parent issue that lists the sub-issues a breakdown created."""
    return f"{PREFIX}breakdown {run_id} -->"


def subtask(run_id: str, index: int) -> str:
    """The end of a sub-issue's body: which run and which task made it."""
    return f"{PREFIX}subtask {run_id} #{index} -->"


def draft(run_id: str) -> str:
    """The end of a draft pull request's body."""
    return f"{PREFIX}draft {run_id} -->"


def draft_pr(number: int) -> str:
    """The comment on an issue that points to its draft pull request."""
    return f"{PREFIX}draft-pr {number} -->"


def carries_one(text: str) -> bool:
    """Whether `text` holds a marker (so is Baton's own words, or quotes them)."""
    return PREFIX in text


def hidden_lines_removed(body: str) -> str:
    """`body` as GitHub shows it: without the lines that are only a marker."""
    return _ANY_LINE.sub("", body).strip("\n")


def forged_removed(text: str) -> str:
    """`text` (not Baton's) with no marker left in it, however it was split or nested, so that
    posting it never makes Baton take the comment for one of its own."""
    while _FORGED_START.search(text):
        text = _FORGED_START.sub("", _FORGED.sub("", text))
    return text
