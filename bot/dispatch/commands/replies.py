"""The replies to `/baton help`, `/baton config`, `/baton pause` and `/baton resume`."""

from __future__ import annotations

import io
from collections.abc import Callable

from ruamel.yaml import YAML

from bot.config.model import BatonConfig
from bot.dispatch.commands.help import approvers, automatic, commands
from bot.dispatch.replies import render_reply
from bot.dispatch.repo_config import CONFIG_PATH, RepoConfig
from bot.engine.untrusted import code_span

MAX_YAML = 60_000  # characters; GitHub refuses comments over 65,536


def help_text(
    config: BatonConfig, marker: str, default_approver: Callable[[], str], *, unknown: bool
) -> str:
    by_role: dict[str, list[str]] = {}
    for approver in approvers(config, default_approver):
        by_role.setdefault(approver.role, []).append(approver.workflow)
    return render_reply(
        "baton_help.md.j2",
        marker=marker,
        unknown=unknown,
        commands=commands(config),
        allowed=config.commands.allowed,
        approvers=by_role,
        automatic=automatic(config),
    )


def config_yaml(config: BatonConfig) -> str:
    """The config as the YAML a user would write, with every default filled in."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(config.model_dump(mode="json", by_alias=True, exclude_none=True), out)
    text = out.getvalue()
    if len(text) > MAX_YAML:
        text = text[:MAX_YAML] + f"\n# … cut here: {len(text) - MAX_YAML} more characters\n"
    return text


def config_source(repo: str, branch: str, loaded: RepoConfig) -> str:
    """Where the config came from, with commits GitHub links (`owner/name@sha`)."""
    if not loaded.file_found:
        where = f"on {code_span(branch)} at {repo}@{loaded.sha}"
        return f"Baton's built-in defaults (no `{CONFIG_PATH}` {where})"
    if loaded.error:
        return loaded.fallback
    source = f"`{CONFIG_PATH}` at {repo}@{loaded.sha}"
    if loaded.extends:
        source += f", merged over `{CONFIG_PATH}` at {loaded.extends}@{loaded.extends_sha}"
    return source + ", with Baton's defaults for what it leaves out"


def config_text(repo: str, branch: str, loaded: RepoConfig, marker: str) -> str:
    return render_reply(
        "baton_config.md.j2",
        marker=marker,
        error=loaded.error or "",
        fallback=loaded.fallback,
        branch=branch,
        source=config_source(repo, branch, loaded),
        yaml=config_yaml(loaded.config),
    )


def pause_text(
    config: BatonConfig, marker: str, action: str, *, on_pull: bool, changed: bool, by: str
) -> str:
    return render_reply(
        "baton_pause.md.j2",
        marker=marker,
        action=action,
        on_pull=on_pull,
        changed=changed,
        by=by,
        automatic=list(automatic(config)),
        commands=[c.command for c in commands(config)],
    )
