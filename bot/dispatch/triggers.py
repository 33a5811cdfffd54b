"""Which configured workflows an event starts, and how a comment names a slash-command."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from bot.config.model import BatonConfig, Trigger, Workflow
from bot.dispatch.events import Event

# Markdown's rules, so that what GitHub renders as a quote or a code block is not a command:
# at most three spaces of indent (four make a code block), then `/name`, then space or the end.
_COMMAND_LINE = re.compile(r"^ {0,3}/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*))?$")


class Command(BaseModel):
    """A slash-command said in a comment: `/review focus on auth`."""

    model_config = ConfigDict(frozen=True)

    name: str  # lowercase, without the slash
    args: str = ""


class Match(BaseModel):
    """A workflow the event starts, and the trigger (as written in the file) that started it."""

    model_config = ConfigDict(frozen=True)

    workflow: str
    trigger: str


def parse_command(body: str) -> Command | None:
    """The command on the comment's first non-blank line, if that line is one.

    Only the first line counts, so a command quoted (`> /review`), fenced or mentioned further
    down in a discussion never runs anything.
    """
    first = next((line for line in body.splitlines() if line.strip()), "")
    found = _COMMAND_LINE.match(first.rstrip())
    if found is None:
        return None
    return Command(name=found[1].lower(), args=(found[2] or "").strip())


def matching_workflows(config: BatonConfig, event: Event) -> list[Match]:
    """Every workflow that `event` starts, in the file's order, each with its first trigger
    that matched."""
    command = _command_of(event)
    matches = []
    for name, workflow in config.workflows.items():
        trigger = next((t for t in workflow.on if _fires(t, workflow, event, command)), None)
        if trigger is not None:
            matches.append(Match(workflow=name, trigger=str(trigger)))
    return matches


def _command_of(event: Event) -> Command | None:
    # Edited comments don't count: editing a comment must not run its command a second time.
    if (event.kind, event.action) != ("issue_comment", "created"):
        return None
    return parse_command(event.comment_body)


def _fires(trigger: Trigger, workflow: Workflow, event: Event, command: Command | None) -> bool:
    if trigger.kind == "command":
        # Said on an issue or a PR alike; a step that needs a PR says so when it runs.
        return command is not None and command.name == trigger.command
    if trigger.kind != "event" or (trigger.event, trigger.action) != (event.kind, event.action):
        return False  # schedules and the API start workflows by name, not from webhooks
    # GitHub treats label names case-insensitively.
    if trigger.label and trigger.label.casefold() != event.label.casefold():
        return False
    if event.kind == "pull_request" and event.draft and not workflow.drafts:
        return trigger.action == "ready_for_review"
    return True
