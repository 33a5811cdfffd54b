"""The config in force for a repository: its file on the default branch, or what stands in."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.config.defaults import default_config
from bot.config.load import ConfigError, load_config
from bot.config.model import BatonConfig
from bot.engine import registry, runtime
from bot.events import Event

CONFIG_PATH = ".github/baton.yml"


class RepoConfig(BaseModel):
    sha: str  # the default branch's commit the file was read at
    config: BatonConfig
    error: str | None = None  # why the file on the default branch was not used
    fallback: str = ""  # what was used instead: the last valid config, or the built-in defaults


def step_inputs() -> dict[str, Any]:
    return {name: spec.input for name, spec in registry.registered().items()}


def fallback_for(repo: str, sha: str, error: ConfigError) -> RepoConfig:
    """An invalid file never stops Baton: the last valid config of the repo keeps working."""
    last = runtime.current().store.last_valid_config(repo)
    if last is None:
        return RepoConfig(
            sha=sha, config=default_config(), error=str(error), fallback="the built-in defaults"
        )
    last_sha, data = last
    return RepoConfig(
        sha=sha,
        config=BatonConfig.model_validate(data),
        error=str(error),
        fallback=f"the last valid config (from {last_sha[:7]})",
    )


async def load_repo_config(event: Event) -> dict[str, Any]:
    """Read `.github/baton.yml` from the default branch, never from a PR head (a PR controls it)."""
    rt = runtime.current()
    github = rt.github(event.installation_id or 0)
    sha = await github.get_branch_sha(event.repo, event.default_branch)
    found = await github.get_file(event.repo, CONFIG_PATH, sha)
    if found is None:
        return RepoConfig(sha=sha, config=default_config()).model_dump(mode="json", by_alias=True)
    try:
        config = load_config(found.text, path=CONFIG_PATH, steps=step_inputs())
    except ConfigError as error:
        return fallback_for(event.repo, sha, error).model_dump(mode="json", by_alias=True)
    dumped = config.model_dump(mode="json", by_alias=True)
    rt.store.save_valid_config(event.repo, sha, dumped)
    return RepoConfig(sha=sha, config=config).model_dump(mode="json", by_alias=True)
