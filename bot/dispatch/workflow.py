"""Dispatch: one durable workflow per delivery that turns an Event into the runs it should start."""

from __future__ import annotations

from typing import Any

from dbos import DBOS, StepOptions

from bot.dispatch.commands.baton import BATON, baton_command
from bot.dispatch.commands.pauses import drop_paused
from bot.dispatch.decisions import DECISIONS, route_button, route_command
from bot.dispatch.events import Event
from bot.dispatch.replies import refusal_text
from bot.dispatch.repo_config import RepoConfig, load_repo_config
from bot.dispatch.supersede import register_run
from bot.dispatch.triggers import Match, matching_workflows, parse_command
from bot.engine import markers, runtime
from bot.engine.context import RunInfo
from bot.engine.durable import durable_step, retried
from bot.engine.runner import PlannedStep, RunPlan, start_run_here
from bot.ops.logs import bind
from bot.ports.github import PullRequest
from bot.ports.roles import role_allows

READ = retried(interval_seconds=1.0)


def ignored_reason(event: Event, bot_login: str) -> str | None:
    if event.sender_is_bot or event.sender == bot_login:
        return f"sender {event.sender} is a bot"
    if not event.repo or event.installation_id is None:
        return "no repository or installation in the payload"
    return None


async def check_role(event: Event, required: str) -> dict[str, Any]:
    github = runtime.current().github(event.installation_id or 0)
    role = await github.get_permission(event.repo, event.sender)
    return {"role": role, "allowed": role_allows(role, required)}  # type: ignore[arg-type]


async def refuse(event: Event, command: str, required: str, role: str, label: str = "") -> None:
    github = runtime.current().github(event.installation_id or 0)
    marker = markers.reply(event.delivery_id)
    body = refusal_text(event.sender, command, required, role, marker, label)
    await github.upsert_comment(
        event.repo, event.number or 0, markers.reply(event.delivery_id), body
    )


async def react_with_eyes(event: Event) -> None:
    github = runtime.current().github(event.installation_id or 0)
    await github.add_reaction(event.repo, event.comment_id or 0, "eyes")


async def current_pull(event: Event) -> dict[str, Any]:
    """The pull a comment was said on, as GitHub has it now (its head, for the run)."""
    github = runtime.current().github(event.installation_id or 0)
    return (await github.get_pull(event.repo, event.number or 0)).model_dump(mode="json")


def read_pull(recorded: dict[str, Any] | str) -> tuple[str, PullRequest | None]:
    """`current_pull`'s checkpoint (step `pull_head`): the pull (after 0.1.0), or only its head
    (a dispatch that began under 0.1.0 and is finished by a newer Baton)."""
    if isinstance(recorded, str):
        return recorded, None
    pull = PullRequest.model_validate(recorded)
    return pull.head_sha, pull


def needs_role(matches: list[Match]) -> bool:
    """Pure: whether a person chose to start these runs, by a command or by adding a label;
    either way their role must reach `commands.allowed`."""
    return any(m.trigger.startswith("/") or ".labeled:" in m.trigger for m in matches)


async def permitted(event: Event, config: RepoConfig) -> bool:
    """Slash-commands and labels that start workflows need the role in `commands.allowed`;
    refused ones get a reply saying why."""
    command = parse_command(event.comment_body) if event.kind == "issue_comment" else None
    required = config.config.commands.allowed
    verdict = await durable_step({**READ, "name": "permission"}, check_role, event, required)
    if verdict["allowed"]:
        if event.comment_id:
            await durable_step({**READ, "name": "react"}, react_with_eyes, event)
        return True
    name = f"/{command.name}" if command else "command"
    label = event.label if command is None else ""
    await durable_step(
        {**READ, "name": "refuse"}, refuse, event, name, required, verdict["role"], label
    )
    return False


def plan_for(
    event: Event, config: RepoConfig, match: Match, head_sha: str, public_url: str = ""
) -> RunPlan:
    workflow = config.config.workflows[match.workflow]
    run_id = f"{event.delivery_id}:{match.workflow}"
    info = RunInfo(
        run_id=run_id,
        workflow=match.workflow,
        delivery_id=event.delivery_id,
        trigger=match.trigger,
        repo=event.repo,
        installation_id=event.installation_id or 0,
        default_branch=event.default_branch,
        config_sha=config.sha,
        subject=event.subject,
        number=event.number,
        head_sha=head_sha,
        pull=event.pull,
        sender=event.sender,
        llm_provider=config.config.llm.provider,
        llm_model=config.config.llm.model,
        paths_include=list(workflow.paths.include),
        paths_exclude=list(workflow.paths.exclude),
        run_url=f"{public_url.rstrip('/')}/runs/{run_id}" if public_url else "",
        budget=config.config.llm.budget.caps(),
        price=config.config.llm.price.model_dump() if config.config.llm.price else None,
        deliver_to=str(workflow.deliver.webhook) if workflow.deliver else "",
        commands=[str(t) for t in workflow.on if t.kind == "command"],
    )
    steps = [PlannedStep(uses=s.uses, prompt=s.prompt, with_=s.with_) for s in workflow.steps]
    return RunPlan(
        run=info, steps=steps, config_error=config.error, config_fallback=config.fallback
    )


DISPATCH_WORKFLOW = "baton.dispatch"  # the name its rows carry in DBOS's tables


@DBOS.workflow(name=DISPATCH_WORKFLOW)
async def dispatch(event_data: dict[str, Any]) -> dict[str, Any]:
    event = Event.model_validate(event_data)
    bind(delivery=event.delivery_id)  # on this dispatch's log lines
    reason = ignored_reason(event, runtime.current().settings.bot_login)
    if reason:
        return {"ignored": reason}
    if event.kind == "check_run" and event.action == "requested_action":
        return await route_button(event)
    command = parse_command(event.comment_body) if event.kind == "issue_comment" else None
    if command is not None and event.action == "created" and command.name in DECISIONS:
        return await route_command(event, command)
    options: StepOptions = {**READ, "name": "load_config"}
    config = RepoConfig.model_validate(await durable_step(options, load_repo_config, event))
    if command is not None and event.action == "created" and command.name == BATON:
        return await baton_command(event, command, config)
    matches = await drop_paused(event, matching_workflows(config.config, event))
    if not matches:
        return {"runs": []}
    if needs_role(matches) and not await permitted(event, config):
        return {"refused": event.sender}
    head_sha, read = event.head_sha, None
    if event.subject == "pull_request" and not head_sha:
        recorded = await durable_step({**READ, "name": "pull_head"}, current_pull, event)
        head_sha, read = read_pull(recorded)
    public_url = runtime.current().settings.baton_public_url
    runs = []
    for match in matches:
        plan = plan_for(event, config, match, head_sha, public_url)
        if read is not None:  # read from GitHub just now: the run need not read it again
            plan.run.pull, plan.run.pull_read = read, True
        if event.action == "synchronize":
            plan.delay_seconds = runtime.current().settings.baton_debounce_seconds
        run = plan.run.model_dump(mode="json")
        pull = await durable_step({**READ, "name": "register_run"}, register_run, run)
        if pull is not None:
            plan.run.pull = PullRequest.model_validate(pull) if pull else None
            runs.append(await start_run_here(plan))
    return {"runs": runs}
