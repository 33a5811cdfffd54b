"""A breakdown plan as an editable checklist: ticked tasks are created, edits are read back."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from handlers.approval.plans import PlanFormat, PlanParseError, one_line, register_format

# A task's title is the rest of its line; the `**` around it are taken off in code, since a
# pattern for them (`(?:\*\*)?(.+?)(?:\*\*)?\s*$`) backtracks for seconds on a long line.
_TASK = re.compile(r"- \[(?P<tick>[ xX])\] +(?P<title>.*)")


# Part of the model's output schema (so no docstring: it would be sent as a description).
# Validated into the form the checklist carries exactly: its title and each criterion on one
# line, its body as the lines under it (a `- ` item there would read as a criterion: `* `).
class SubTask(BaseModel):
    title: str = Field(min_length=1, max_length=256, description="Short imperative title.")
    body: str = Field(default="", description="What to do and why, in Markdown.")
    acceptance: list[str] = Field(default=[], description="Checks that say the task is done.")

    @field_validator("title", mode="before")
    @classmethod
    def _title_on_one_line(cls, title: object) -> object:
        return one_line(title)

    @field_validator("body", mode="before")
    @classmethod
    def _body_as_listed(cls, body: object) -> object:
        if not isinstance(body, str):
            return body
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        return "\n".join(f"* {line[2:]}" if line.startswith("- ") else line for line in lines)

    @field_validator("acceptance", mode="before")
    @classmethod
    def _criteria_on_one_line(cls, acceptance: object) -> object:
        if not isinstance(acceptance, list):
            return acceptance
        return [line for line in map(one_line, acceptance) if line != ""]


class BreakdownPlan(BaseModel):
    tasks: list[SubTask] = Field(min_length=1, max_length=100)


def render(plan: dict[str, Any]) -> str:
    lines: list[str] = []
    for task in BreakdownPlan.model_validate(plan).tasks:
        lines.append(f"- [x] **{task.title}**")
        lines.extend(f"  {line}" for line in task.body.splitlines())
        lines.extend(f"  - {criterion}" for criterion in task.acceptance)
    return "\n".join(lines)


def _unbold(title: str) -> str:
    title = title.strip()
    title = title[2:] if title.startswith("**") else title
    return (title[:-2] if title.endswith("**") else title).strip()


def _ticked_tasks(text: str) -> list[dict[str, Any]]:
    tasks: list[tuple[bool, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _TASK.match(line)
        if found:
            new: dict[str, Any] = {"title": _unbold(found["title"]), "body": "", "acceptance": []}
            tasks.append((found["tick"] != " ", new))
        elif line.startswith("  ") and tasks and line.strip():
            task = tasks[-1][1]
            if line.strip().startswith("- "):
                task["acceptance"].append(line.strip()[2:].strip())
            else:
                task["body"] = f"{task['body']}\n{line.strip()}".strip()
        elif line.strip():
            raise PlanParseError(f"line {number} is neither a `- [x] task` nor indented under one")
    return [task for ticked, task in tasks if ticked]


def parse(text: str) -> dict[str, Any]:
    try:
        return BreakdownPlan.model_validate({"tasks": _ticked_tasks(text)}).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        if first["loc"] != ("tasks",):
            where = ".".join(str(part) for part in first["loc"])
            raise PlanParseError(f"{where}: {first['msg']}") from error
        raise PlanParseError("the checklist needs between 1 and 100 ticked tasks") from error


def understood(plan: dict[str, Any]) -> str:
    titles = [task.title for task in BreakdownPlan.model_validate(plan).tasks]
    return f"{len(titles)} sub-issue(s) will be created: " + "; ".join(titles) + "."


BREAKDOWN = register_format(PlanFormat("breakdown", render, parse, understood))
