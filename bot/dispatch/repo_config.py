"""The config in force for a repository: its file on the default branch, or what stands in."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.config.defaults import default_config
from bot.config.extends import base_unavailable, extended_repo, load_extended
from bot.config.load import ConfigError, load_config
from bot.config.model import BatonConfig
from bot.dispatch.events import Event
from bot.engine import registry, runtime
from bot.ports.github import GitHubError, GitHubPort
from bot.prompts.files import OVERRIDE_DIR
from bot.store.file_cache import branch_files

CONFIG_PATH = ".github/baton.yml"


class RepoConfig(BaseModel):
    sha: str  # the default branch's commit the file was read at
    config: BatonConfig
    error: str | None = None  # why the file on the default branch was not used
    fallback: str = ""  # what was used instead: the last valid config, or the built-in defaults
    extends: str = ""  # the repository whose file is merged under this one (`extends`)
    extends_sha: str = ""  # the commit of its default branch that file was read at
    file_found: bool = True  # False: the default branch has no file, the defaults are in force


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
    # One request for the branch's commit, the file and the prompt overrides a run will ask
    # for, all kept at that commit (bot/store/file_cache.py).
    read = await branch_files(
        rt.store, github, event.repo, event.default_branch, [CONFIG_PATH], [OVERRIDE_DIR]
    )
    sha, found = read.sha, read.files.get(CONFIG_PATH)
    if found is None:
        defaults = RepoConfig(sha=sha, config=default_config(), file_found=False)
        return defaults.model_dump(mode="json", by_alias=True)
    try:
        config, base, base_sha = await read_config(github, event.repo, found.text)
    except ConfigError as error:
        return fallback_for(event.repo, sha, error).model_dump(mode="json", by_alias=True)
    dumped = config.model_dump(mode="json", by_alias=True)
    rt.store.save_valid_config(event.repo, sha, dumped)
    loaded = RepoConfig(sha=sha, config=config, extends=base, extends_sha=base_sha)
    return loaded.model_dump(mode="json", by_alias=True)


async def read_config(github: GitHubPort, repo: str, text: str) -> tuple[BatonConfig, str, str]:
    """The file checked, merged over the file it `extends` (the repository and commit that
    file came from, or "" twice)."""
    base = extended_repo(text, path=CONFIG_PATH, repo=repo)
    if base is None:
        return load_config(text, path=CONFIG_PATH, steps=step_inputs()), "", ""
    base_sha, base_text = await read_base(github, text, base)
    merged = load_extended(text, base_text, base_repo=base, steps=step_inputs(), path=CONFIG_PATH)
    return merged, base, base_sha


async def read_base(github: GitHubPort, text: str, base: str) -> tuple[str, str]:
    """The extended repository's file on its default branch, read with this installation's
    token; a ConfigError at `extends` when it is missing or GitHub refuses (a 5xx is raised
    for the step to retry)."""
    try:
        branch = (await github.get_repository(base)).default_branch
        sha = await github.get_branch_sha(base, branch)
        found = await github.get_file(base, CONFIG_PATH, sha)
    except GitHubError as error:
        if not error.permanent:
            raise
        why = f"cannot be read ({error}): is the Baton App installed on it?"
        raise base_unavailable(text, base, why, path=CONFIG_PATH) from error
    if found is None:
        why = f"has no `{CONFIG_PATH}` on its default branch `{branch}`"
        raise base_unavailable(text, base, why, path=CONFIG_PATH)
    return sha, found.text
