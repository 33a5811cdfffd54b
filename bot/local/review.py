"""`baton review URL`: the repository's review workflow run once on one pull request, with a
personal token instead of the App, posting or (dry run) only recording what it would post."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.bootstrap import token_github
from bot.dispatch.events import Event
from bot.dispatch.repo_config import CONFIG_PATH, RepoConfig, load_repo_config
from bot.dispatch.triggers import Match
from bot.dispatch.workflow import plan_for
from bot.engine import runtime
from bot.engine.record import StepRecord
from bot.local.dryrun import DryRunGitHub, Write
from bot.local.run import AroundStep, local_runtime, run_steps
from bot.ports.github import GitHubError, GitHubPort, PullRequest
from bot.ports.llm import LLMError
from bot.settings import Settings, SettingsError

WORKFLOW = "review"
TRIGGER = "baton review"  # what the run's record names as its trigger
_PULL_PATH = re.compile(r"/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/pull/(?P<number>\d+)(?:/.*)?")


class ReviewProblem(Exception):
    """Why the review cannot start, in one line that says what to do."""


@dataclass(frozen=True)
class PullTarget:
    repo: str  # owner/name
    number: int


@dataclass
class ReviewResult:
    pull: PullRequest
    steps: list[StepRecord]
    config_warning: str = ""  # why the repository's own file was not used
    writes: list[Write] = field(default_factory=list)  # a dry run's writes, in order


def parse_pull_url(url: str) -> PullTarget:
    """OWNER/REPO and NUMBER from a pull request's web address (any host: GitHub Enterprise)."""
    parts = urlsplit(url.strip())
    found = _PULL_PATH.fullmatch(parts.path.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc or found is None:
        raise ReviewProblem(
            f"{url!r} is not a pull request's address; "
            "give one like https://github.com/OWNER/REPO/pull/NUMBER"
        )
    return PullTarget(f"{found['owner']}/{found['repo']}", int(found["number"]))


def unreachable(target: PullTarget, error: GitHubError, api_url: str) -> ReviewProblem:
    where = f"{target.repo}#{target.number}"
    if error.status == 404:
        return ReviewProblem(f"{where}: no such pull request, or GITHUB_TOKEN cannot see it")
    if error.status == 401:
        return ReviewProblem(f"GitHub refused GITHUB_TOKEN at {api_url}: {error}")
    return ReviewProblem(f"{where} could not be read from {api_url}: {error}")


def config_warning(config: RepoConfig) -> str:
    if config.error is None:
        return ""
    return f"{config.error}\n(ignored: reviewing with {config.fallback})"


def event_for(pull: PullRequest, target: PullTarget, default_branch: str) -> Event:
    return Event(
        delivery_id=f"cli-{uuid.uuid4().hex[:12]}",
        kind="pull_request",
        repo=target.repo,
        default_branch=default_branch,
        installation_id=0,
        subject="pull_request",
        number=pull.number,
        head_sha=pull.head_sha,
    )


async def open_pull(
    github: GitHubPort, target: PullTarget, api_url: str
) -> tuple[PullRequest, Event, RepoConfig]:
    """The pull, the event a review of it answers, and the repository's config in force."""
    try:
        pull = await github.get_pull(target.repo, target.number)
        repository = await github.get_repository(target.repo)
        event = event_for(pull, target, repository.default_branch)
        config = RepoConfig.model_validate(await load_repo_config(event))
    except GitHubError as error:
        raise unreachable(target, error, api_url) from error
    return pull, event, config


def require_llm(provider: str) -> None:
    """Fail before any work when the model cannot be called (no API key, unknown provider)."""
    try:
        runtime.current().llm(provider)
    except LLMError as error:
        raise ReviewProblem(str(error)) from error


async def review_pull(
    settings: Settings, target: PullTarget, *, dry_run: bool, around: AroundStep
) -> ReviewResult:
    try:
        github = token_github(settings)
    except SettingsError as error:
        raise ReviewProblem(str(error)) from error
    port = DryRunGitHub(github) if dry_run else github
    with local_runtime(settings, port):
        pull, event, config = await open_pull(port, target, settings.github_api_url)
        if WORKFLOW not in config.config.workflows:
            raise ReviewProblem(f"{target.repo}'s {CONFIG_PATH} has no `{WORKFLOW}` workflow")
        plan = plan_for(event, config, Match(workflow=WORKFLOW, trigger=TRIGGER), event.head_sha)
        require_llm(plan.run.llm_provider)
        steps = await run_steps(plan, around)
    writes = port.writes if isinstance(port, DryRunGitHub) else []
    return ReviewResult(pull, steps, config_warning(config), writes)
