"""A draft plan — approach, files and risks — as Markdown a maintainer may edit before approving."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from handlers.approval.plans import PlanFormat, PlanParseError, one_line, register_format

Action = Literal["modify", "create", "delete"]
_FILE = re.compile(r"^- \[(?P<tick>[ xX])\] `(?P<path>[^`]+)` \((?P<action>\w+)\):?\s*(?P<why>.*)$")
_SECTIONS = ("**Approach**", "**Files**", "**Risks**")
NO_RISKS = "none named"


# What GitHub Actions runs: a change there runs code with the repository's secrets on the next
# push, so a draft may touch these only where the repository's config says so.
ACTIONS_FOLDERS = (".github/workflows/", ".github/actions/")


def checked_path(path: str) -> str:
    """A path inside the repository, written one way only: no empty, `.` or `..` parts, no
    leading `/` and no backslash, so `./.github//workflows/x` cannot pass for another path."""
    parts = path.split("/")
    bad = {"", ".", ".."}.intersection(parts) or "\\" in path or parts[0].lower() == ".git"
    # A backtick or a line break would end the path early in the plan's Markdown.
    odd = "`" in path or path.splitlines() != [path] or any(ord(char) < 32 for char in path)
    if bad or odd:
        raise ValueError(
            f"`{path}` is not a path inside the repository written plainly "
            "(like `src/app.py`: no `.`, `..` or empty parts, no leading `/`, no backtick)"
        )
    return path


def actions_paths(paths: list[str]) -> list[str]:
    """The paths among `paths` that GitHub Actions would run (case as GitHub compares it)."""
    return [p for p in paths if p.lower().startswith(ACTIONS_FOLDERS)]


def refuse_actions_paths(paths: list[str], allowed: bool) -> None:
    """StepFailed-worthy ValueError for GitHub Actions files, unless the config allows them."""
    found = actions_paths(paths)
    if found and not allowed:
        raise ValueError(
            f"the plan changes {', '.join(f'`{p}`' for p in found)}, which GitHub Actions runs; "
            "Baton drafts those only with `allow_github_actions: true` in the draft.plan "
            "step's `with` in `.github/baton.yml`"
        )


class PlannedFile(BaseModel):
    path: str = Field(description="Repository-relative path, e.g. src/app/search.py.")
    action: Action = Field(description="modify an existing file, create a new one, or delete one.")
    why: str = Field(description="One sentence: what changes in this file and why.")

    @field_validator("path")
    @classmethod
    def _inside_repository(cls, path: str) -> str:
        return checked_path(path)

    @field_validator("why", mode="before")
    @classmethod
    def _why_on_one_line(cls, why: object) -> object:
        return one_line(why)


# The model's answer, also the output schema it is given (so no docstring: it would be sent as
# the schema's description). Validated into the form its Markdown (`render`) carries exactly:
# one line per file and per risk, and no line of the approach that reads as a heading.
class DraftPlan(BaseModel):
    approach: str = Field(min_length=1, description="How the issue will be solved, briefly.")
    files: list[PlannedFile] = Field(min_length=1, max_length=20)
    risks: list[str] = Field(default=[], description="What could go wrong or needs review.")

    @field_validator("approach", mode="before")
    @classmethod
    def _no_headings(cls, approach: object) -> object:
        if not isinstance(approach, str):
            return approach
        lines = approach.splitlines()
        # `**Files**` alone on a line would start that section: `__Files__` is the same bold.
        return "\n".join(_unheaded(line) for line in lines).strip()

    @field_validator("risks", mode="before")
    @classmethod
    def _risks_on_one_line(cls, risks: object) -> object:
        if not isinstance(risks, list):
            return risks
        lines = [one_line(risk) for risk in risks]
        return [line for line in lines if line not in ("", NO_RISKS)]


def _unheaded(line: str) -> str:
    return line.replace("**", "__") if line.strip() in _SECTIONS else line


def render(plan: dict[str, Any]) -> str:
    parsed = DraftPlan.model_validate(plan)
    files = [f"- [x] `{f.path}` ({f.action}): {f.why}" for f in parsed.files]
    risks = [f"- {risk}" for risk in parsed.risks] or [f"- {NO_RISKS}"]
    return "\n".join(
        [
            "**Approach**",
            "",
            parsed.approach,
            "",
            "**Files**",
            "",
            *files,
            "",
            "**Risks**",
            "",
            *risks,
        ]
    )


def _sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.strip() in _SECTIONS:
            current = line.strip()
            found[current] = []
        elif current is not None:
            found[current].append(line)
    missing = [name for name in _SECTIONS if name not in found]
    if missing:
        raise PlanParseError(f"the plan needs its {', '.join(missing)} heading(s)")
    return found


def _files(lines: list[str]) -> list[dict[str, str]]:
    files = []
    for line in (raw.strip() for raw in lines):
        match = _FILE.match(line)
        if match is None and line:
            raise PlanParseError(f"`{line}` is not a file line like - [x] `path` (modify): why")
        if match and match["tick"] != " ":
            files.append({"path": match["path"], "action": match["action"], "why": match["why"]})
    return files


def parse(text: str) -> dict[str, Any]:
    sections = _sections(text)
    risks = [r.strip()[2:] for r in sections["**Risks**"] if r.strip().startswith("- ")]
    plan = {
        "approach": "\n".join(sections["**Approach**"]).strip(),
        "files": _files(sections["**Files**"]),
        "risks": risks,
    }
    try:
        return DraftPlan.model_validate(plan).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanParseError(f"{where}: {first['msg']}") from error


def understood(plan: dict[str, Any]) -> str:
    files = DraftPlan.model_validate(plan).files
    return "Baton will change " + ", ".join(f"`{f.path}` ({f.action})" for f in files) + "."


DRAFT = register_format(PlanFormat("draft", render, parse, understood))
