"""A breakdown plan as an editable checklist: ticked tasks are created, edits are read back."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from handlers.approval.plans import PlanFormat, PlanParseError, register_format

_TASK = re.compile(r"^- \[(?P<tick>[ xX])\] +(?:\*\*)?(?P<title>.+?)(?:\*\*)?\s*$")


class SubTask(BaseModel):
    title: str = Field(min_length=1, max_length=256, description="Short imperative title.")
    body: str = Field(default="", description="What to do and why, in Markdown.")
    acceptance: list[str] = Field(default=[], description="Checks that say the task is done.")


class BreakdownPlan(BaseModel):
    tasks: list[SubTask] = Field(min_length=1, max_length=100)


def render(plan: dict[str, Any]) -> str:
    lines: list[str] = []
    for task in BreakdownPlan.model_validate(plan).tasks:
        lines.append(f"- [x] **{task.title}**")
        lines.extend(f"  {line}" for line in task.body.splitlines() if line.strip())
        lines.extend(f"  - {criterion}" for criterion in task.acceptance)
    return "\n".join(lines)


def _ticked_tasks(text: str) -> list[SubTask]:
    tasks: list[tuple[bool, SubTask]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _TASK.match(line)
        if found:
            title = found["title"].strip()
            tasks.append((found["tick"] != " ", SubTask(title=title)))
        elif line.startswith("  ") and tasks and line.strip():
            task = tasks[-1][1]
            if line.strip().startswith("- "):
                task.acceptance.append(line.strip()[2:].strip())
            else:
                task.body = f"{task.body}\n{line.strip()}".strip()
        elif line.strip():
            raise PlanParseError(f"line {number} is neither a `- [x] task` nor indented under one")
    return [task for ticked, task in tasks if ticked]


def parse(text: str) -> dict[str, Any]:
    try:
        return BreakdownPlan(tasks=_ticked_tasks(text)).model_dump(mode="json")
    except ValidationError as error:
        raise PlanParseError("the checklist needs between 1 and 100 ticked tasks") from error


def understood(plan: dict[str, Any]) -> str:
    titles = [task.title for task in BreakdownPlan.model_validate(plan).tasks]
    return f"{len(titles)} sub-issue(s) will be created: " + "; ".join(titles) + "."


BREAKDOWN = register_format(PlanFormat("breakdown", render, parse, understood))
