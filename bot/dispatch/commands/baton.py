"""`/baton help|config|pause|resume`: Baton's own commands, answered within the dispatch workflow.

`help` is for anyone (it only says what the config allows). `config` needs `commands.allowed`,
because the file it extends may sit in a private organisation repository. `pause` and `resume`
need `commands.allowed` too: they change what runs on a PR. A paused PR starts no workflow from
`pull_request.*` events; slash-commands such as `/review` still run. `/baton` is Baton's own
name, so a workflow the config triggers on `/baton` never starts from it.
"""

from __future__ import annotations

import logging
from typing import Any

from dbos import StepOptions

from bot.dispatch.commands import pauses
from bot.dispatch.commands.help import APPROVAL_STEP, DEFAULT_APPROVER
from bot.dispatch.commands.replies import config_text, help_text, pause_text
from bot.dispatch.decisions import READ, role_of
from bot.dispatch.events import Event
from bot.dispatch.replies import refusal_text
from bot.dispatch.repo_config import RepoConfig
from bot.dispatch.triggers import Command
from bot.engine import markers, registry, runtime
from bot.engine.durable import durable_step
from bot.ports.roles import role_allows

BATON = "baton"
ACTIONS = ("help", "config", "pause", "resume")
FOR_ANYONE = {"help"}
log = logging.getLogger(__name__)


def action_of(command: Command) -> tuple[str, bool]:
    """The subcommand, and whether it was unknown (then help is shown)."""
    word = (command.args.split() or ["help"])[0].lower()
    return (word, False) if word in ACTIONS else ("help", True)


async def baton_command(event: Event, command: Command, config: RepoConfig) -> dict[str, Any]:
    action, unknown = action_of(command)
    if action not in FOR_ANYONE and not await _allowed(event, config, f"/baton {action}"):
        return {"refused": event.sender}
    await durable_step({**READ, "name": "react"}, react, event)
    marker = markers.reply(event.delivery_id)
    if action == "help":
        body = help_text(config.config, marker, default_approver, unknown=unknown)
    elif action == "config":
        body = config_text(event.repo, event.default_branch, config, marker)
    else:
        body = await _pause_or_resume(event, config, action, marker)
    await durable_step({**READ, "name": "reply"}, reply, event, body)
    return {"baton": action}


async def _allowed(event: Event, config: RepoConfig, name: str) -> bool:
    required = config.config.commands.allowed
    role = await durable_step({**READ, "name": "permission"}, role_of, event)
    if role_allows(role, required):
        return True
    body = refusal_text(event.sender, name, required, role, markers.reply(event.delivery_id))
    await durable_step({**READ, "name": "refuse"}, reply, event, body)
    return False


async def _pause_or_resume(event: Event, config: RepoConfig, action: str, marker: str) -> str:
    on_pull = event.subject == "pull_request" and event.number is not None
    change: dict[str, Any] = {"changed": False, "by": ""}
    if on_pull:
        options: StepOptions = {**READ, "name": action}
        change = await durable_step(options, set_paused, event, action == "pause")
    changed, by = bool(change["changed"]), str(change["by"])
    return pause_text(config.config, marker, action, on_pull=on_pull, changed=changed, by=by)


def default_approver() -> str:
    """The role the approval step type asks for when the file does not say `from`."""
    step = registry.registered().get(APPROVAL_STEP)
    fields = step.input.model_fields.values() if step else ()
    default = next((f.default for f in fields if f.alias == "from"), None)
    return default if isinstance(default, str) else DEFAULT_APPROVER


# DBOS steps: small data in, small data out; each builds what it needs from the runtime.


async def react(event: Event) -> None:
    github = runtime.current().github(event.installation_id or 0)
    await github.add_reaction(event.repo, event.comment_id or 0, "eyes")


async def reply(event: Event, body: str) -> None:
    github = runtime.current().github(event.installation_id or 0)
    await github.upsert_comment(
        event.repo, event.number or 0, markers.reply(event.delivery_id), body
    )


async def set_paused(event: Event, paused: bool) -> dict[str, Any]:
    store = runtime.current().store
    change = pauses.set_paused(
        store, event.repo, event.number or 0, paused, event.sender, event.delivery_id
    )
    return {"changed": change.changed, "by": change.by}


