"""The approval comment: the plan between markers, its hash, and what people may do now."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from handlers.approval.plans import PLAN_END, PLAN_START, get_format

_env = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Shown(BaseModel):
    """The plan as the approval comment shows it now."""

    plan: dict[str, Any]
    plan_format: str
    hash: str
    head_sha: str
    deadline: float
    notice: str = ""


def approval_comment(
    marker: str, number: int, required: str, shown: Shown, status: str, **extra: Any
) -> str:
    values = {
        "marker": marker,
        "title": f"Plan for #{number}",
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
