"""Which DBOS schedules a repository should have, and which deliveries change them.

A workflow's `schedule:"CRON"` triggers become DBOS schedules named
`baton:<owner/repo>:<workflow>:<n>`. They are brought in line with the default branch's
config when that config changes (a push touching `.github/baton.yml`) and when the App is
installed on the repository; they are removed when the App leaves it. Pure decisions here;
bot/schedules/sync.py acts on them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from bot.config.model import BatonConfig
from bot.dispatch.events import Event
from bot.dispatch.repo_config import CONFIG_PATH

EVENTS = frozenset({"push", "installation", "installation_repositories"})
PREFIX = "baton:"


class ScheduleSpec(BaseModel):
    """One schedule as DBOS keeps it; also the context each firing receives."""

    name: str
    cron: str
    repo: str
    installation_id: int
    workflow: str

    @property
    def trigger(self) -> str:
        return f'schedule:"{self.cron}"'


class Sync(BaseModel):
    """One change to make: apply a repository's config, or drop a repository's or an
    installation's schedules."""

    kind: Literal["apply", "drop_repo", "drop_installation"]
    installation_id: int
    repo: str = ""


def repo_prefix(repo: str) -> str:
    # Neither owners nor repository names contain ":", so one repo's prefix matches no other's.
    return f"{PREFIX}{repo}:"


def schedules_of(config: BatonConfig, repo: str, installation_id: int) -> list[ScheduleSpec]:
    specs = []
    for workflow, declared in config.workflows.items():
        crons = [trigger.cron for trigger in declared.on if trigger.kind == "schedule"]
        for index, cron in enumerate(crons):
            name = f"{repo_prefix(repo)}{workflow}:{index}"
            specs.append(
                ScheduleSpec(
                    name=name,
                    cron=cron,
                    repo=repo,
                    workflow=workflow,
                    installation_id=installation_id,
                )
            )
    return specs


def syncs_for(event: Event) -> list[Sync]:
    """What a delivery changes about schedules (nothing, for most)."""
    installation = event.installation_id
    if installation is None or event.kind not in EVENTS:
        return []
    if event.kind == "push":
        on_default = (
            bool(event.default_branch) and event.ref == f"refs/heads/{event.default_branch}"
        )
        if on_default and CONFIG_PATH in event.changed_paths:
            return [Sync(kind="apply", installation_id=installation, repo=event.repo)]
        return []
    if (event.kind, event.action) == ("installation", "deleted"):
        return [Sync(kind="drop_installation", installation_id=installation)]
    added = {("installation", "created"), ("installation_repositories", "added")}
    if (event.kind, event.action) in added:
        kind: Literal["apply", "drop_repo"] = "apply"
    elif (event.kind, event.action) == ("installation_repositories", "removed"):
        kind = "drop_repo"
    else:
        return []
    return [Sync(kind=kind, installation_id=installation, repo=r) for r in event.repositories]
