"""Where a run's prompts come from: the repository's override on the default branch, else ours."""

from __future__ import annotations

from pathlib import Path

from bot.engine.context import RunInfo
from bot.ports.github import GitHubPort
from bot.prompts.files import PromptLibrary
from bot.prompts.rendered import PromptSource
from bot.store.database import Store
from bot.store.file_cache import file_at

OVERRIDE_DIR = ".github/baton/prompts"


def prompt_source(
    run: RunInfo, github: GitHubPort, default_dir: Path, store: Store | None = None
) -> PromptSource:
    """Overrides are read at the config's commit, never from a PR head (a PR can't rewrite
    them); with a `store`, a commit's files are read from GitHub once (bot/store/file_cache.py)."""

    async def fetch_override(path: str) -> str | None:
        ref = run.config_sha or run.default_branch
        found = await file_at(store, github, run.repo, path, ref)
        return found.text if found is not None else None

    return PromptLibrary(default_dir, fetch_override)
