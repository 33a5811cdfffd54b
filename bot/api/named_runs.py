"""Starting a workflow by its name — from the HTTP API or a schedule — rather than from a webhook.

The same config, plan and run as a webhook gets: the config comes from the default branch, the
workflow must list the trigger used (`api`, or the `schedule:"CRON"` that fired), and the run id
is the caller's delivery id plus the workflow, so asking twice starts one run.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.dispatch.events import Event, SubjectKind
from bot.dispatch.repo_config import CONFIG_PATH, RepoConfig, load_repo_config
from bot.dispatch.triggers import Match
from bot.dispatch.workflow import plan_for
from bot.engine import runtime
from bot.engine.runner import RunPlan
from bot.ports.github import GitHubError, GitHubPort
from bot.store.run_book import record_run

InputValue = str | int | float | bool


class StartRefused(Exception):
    """The run cannot be started as asked; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)  # both in args, so DBOS can pickle it into a step
        self.status, self.message = status, message

    def __str__(self) -> str:
        return self.message


class NamedStart(BaseModel):
    """A request to run `workflow` in `repo`, as the API or a schedule makes it."""

    repo: str
    installation_id: int
    workflow: str
    trigger: str  # as written in `on:`: "api" or 'schedule:"CRON"'
    delivery_id: str  # unique per request (or firing); the run id is "<delivery_id>:<workflow>"
    subject: SubjectKind = "none"
    number: int | None = None
    inputs: dict[str, InputValue] = {}
    sender: str = ""


def matching_trigger(config: RepoConfig, start: NamedStart, branch: str) -> Match:
    workflow = config.config.workflows.get(start.workflow)
    where = f"`{CONFIG_PATH}` on {branch} ({config.sha[:7]})"
    if config.error:
        where += f", which is invalid, so {config.fallback}"
    if workflow is None:
        names = ", ".join(sorted(config.config.workflows)) or "none"
        raise StartRefused(422, f"{where} has no workflow `{start.workflow}` (it has: {names})")
    if start.trigger not in {str(t) for t in workflow.on}:
        if start.trigger == "api":
            message = f"add `api` to its `on:` list in {CONFIG_PATH}"
            raise StartRefused(
                422, f"workflow `{start.workflow}` cannot be started through the API: {message}"
            )
        raise StartRefused(422, f"workflow `{start.workflow}` has no trigger {start.trigger}")
    return Match(workflow=start.workflow, trigger=start.trigger)


async def subject_head(github: GitHubPort, start: NamedStart) -> str:
    """The PR's head sha (empty for an issue); a missing subject is refused."""
    what = "pull request" if start.subject == "pull_request" else "issue"
    try:
        if start.subject == "pull_request":
            return (await github.get_pull(start.repo, start.number or 0)).head_sha
        if start.subject == "issue":
            await github.get_issue(start.repo, start.number or 0)
    except GitHubError as exc:
        if exc.status == 404:
            raise StartRefused(422, f"{start.repo} has no {what} #{start.number}") from exc
        raise
    return ""


async def plan_named(start_data: dict[str, Any]) -> dict[str, Any]:
    """The run's plan, as plain data (this is a DBOS step in a scheduled firing)."""
    start = NamedStart.model_validate(start_data)
    rt = runtime.current()
    github = rt.github(start.installation_id)
    try:
        repository = await github.get_repository(start.repo)
    except GitHubError as exc:
        if exc.status == 404:
            raise StartRefused(404, f"Baton cannot see the repository {start.repo}") from exc
        raise
    event = Event(
        delivery_id=start.delivery_id,
        kind=start.trigger.split(":", 1)[0],
        repo=start.repo,
        default_branch=repository.default_branch,
        installation_id=start.installation_id,
        sender=start.sender,
        subject=start.subject,
        number=start.number,
    )
    config = RepoConfig.model_validate(await load_repo_config(event))
    match = matching_trigger(config, start, repository.default_branch)
    head_sha = await subject_head(github, start)
    plan = plan_for(event, config, match, head_sha, rt.settings.baton_public_url)
    plan.run.inputs = dict(start.inputs)
    return plan.model_dump(mode="json")


async def register(plan_data: dict[str, Any]) -> None:
    """Book the run, so lists of runs show it (a step: it writes to Baton's tables)."""
    run = RunPlan.model_validate(plan_data).run
    record_run(
        runtime.current().store, run.run_id, run.repo, run.number, run.workflow, run.head_sha
    )
