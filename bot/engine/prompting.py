"""Where a run's prompts come from: the repository's override on the default branch, else ours."""

from __future__ import annotations

from pathlib import Path

from bot.engine.context import PromptSource, RunInfo
from bot.ports.github import GitHubPort
from bot.prompts import PromptLibrary

OVERRIDE_DIR = ".github/baton/prompts"


def prompt_source(run: RunInfo, github: GitHubPort, default_dir: Path) -> PromptSource:
    """Overrides are read at the config's commit, never from a PR head (a PR can't rewrite them)."""

    async def fetch_override(path: str) -> str | None:
        found = await github.get_file(run.repo, path, run.config_sha or run.default_branch)
        return found.text if found is not None else None

    return PromptLibrary(default_dir, fetch_override)
