"""The approval comment: the plan between markers, its hash, and what people may do now."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.engine.markers import PLAN_END, PLAN_START
from bot.prompts.templates import markdown_templates
from handlers.approval.plans import PlanParseError, get_format, plan_section

_env = markdown_templates(Path(__file__).resolve().parents[1] / "templates")


class Shown(BaseModel):
    """The plan as the approval comment shows it now."""

    plan: dict[str, Any]
    plan_format: str
    hash: str
    head_sha: str
    deadline: float
    notice: str = ""
    title: str = "Plan"  # what is to be approved: "Plan for #12"
    appendix: str = ""  # shown after the plan, not read back (a diff, say)


def approval_comment(
    marker: str, number: int, required: str, shown: Shown, status: str, **extra: Any
) -> str:
    values = {
        "marker": marker,
        "title": f"{shown.title} for #{number}",
        "appendix": shown.appendix,
        "hash": shown.hash,
        "plan_markdown": get_format(shown.plan_format).render(shown.plan),
        "notice": shown.notice,
        "plan_start": PLAN_START,
        "plan_end": PLAN_END,
        "required": required,
        "status": status,
        "understood": "",
        "decided_by": "",
        "reason": "",
        "deadline": datetime.fromtimestamp(shown.deadline, UTC).strftime("%Y-%m-%d %H:%M"),
    }
    return _env.get_template("approval.md.j2").render({**values, **extra})


_WAITING_HEADING = re.compile(
    r"^### (?P<title>.+) — waiting for approval of `(?P<hash>[^`]+)`$", re.MULTILINE
)


def cancelled_comment(body: str, marker: str, required: str = "") -> str | None:
    """A waiting approval's comment, said to be cancelled (the plan kept as it reads now,
    edits included); None when the comment is not waiting (decided, or not Baton's)."""
    heading = _WAITING_HEADING.search(body)
    if not body.startswith(marker) or heading is None:
        return None
    try:
        plan = plan_section(body)
    except PlanParseError:
        plan = ""
    values = {
        "marker": marker,
        "title": heading.group("title"),
        "hash": heading.group("hash"),
        "plan_markdown": plan,
        "appendix": "",
        "notice": "",
        "plan_start": PLAN_START,
        "plan_end": PLAN_END,
        "required": required,
        "status": "cancelled",
        "understood": "",
        "decided_by": "",
        "reason": "",
        "deadline": "",
    }
    return _env.get_template("approval.md.j2").render(values)
