"""What `/baton help` lists: the commands a repository's config allows, and who may use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config.model import BatonConfig, StepConfig

APPROVAL_STEP = "approval"
DEFAULT_APPROVER = "maintain"  # when neither the file nor the step type says


@dataclass(frozen=True)
class CommandHelp:
    """One slash-command of the config and the workflows it starts."""

    command: str  # "/review"
    workflows: tuple[str, ...]


@dataclass(frozen=True)
class Approver:
    """Who may answer `/approve` or `/reject` in one workflow's approval step."""

    workflow: str
    role: str


def commands(config: BatonConfig) -> list[CommandHelp]:
    """Every `/command` trigger, in the file's order, with the workflows it starts."""
    started: dict[str, list[str]] = {}
    for name, workflow in config.workflows.items():
        for trigger in workflow.on:
            if trigger.kind == "command":
                started.setdefault(str(trigger), []).append(name)
    return [CommandHelp(command, tuple(names)) for command, names in started.items()]


def automatic(config: BatonConfig, event: str = "pull_request") -> dict[str, list[str]]:
    """Workflows that GitHub events of kind `event` start: name → its triggers of that kind."""
    found: dict[str, list[str]] = {}
    for name, workflow in config.workflows.items():
        triggers = [str(t) for t in workflow.on if t.kind == "event" and t.event == event]
        if triggers:
            found[name] = triggers
    return found


def approvers(config: BatonConfig, default_role: Callable[[], str]) -> list[Approver]:
    """Each workflow's approval steps and the role they ask for (`with.from`, else the step
    type's default, asked of `default_role` so `bot/` does not need the step's module)."""
    found = []
    for name, workflow in config.workflows.items():
        for step in workflow.steps:
            if step.uses == APPROVAL_STEP:
                found.append(Approver(name, _role(step) or default_role()))
    return found


def _role(step: StepConfig) -> str:
    role = step.with_.get("from")
    return role if isinstance(role, str) else ""
