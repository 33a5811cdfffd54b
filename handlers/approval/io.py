"""The approval step's calls to GitHub, each run once as a checkpoint (plain data in and out)."""

from __future__ import annotations

import time
from typing import Any

from bot.engine import markers
from bot.engine.checkrun import check_run_name
from bot.engine.context import RunInfo
from bot.ports.github import CheckAction, CheckRunUpdate, GitHubPort


async def now() -> float:
    return time.time()


async def upsert(github: GitHubPort, repo: str, number: int, marker: str, body: str) -> int:
    return (await github.upsert_comment(repo, number, marker, body)).id


async def reply(github: GitHubPort, repo: str, number: int, delivery: str, text: str) -> int:
    """One reply per decision delivery, however often the step is replayed."""
    marker = markers.reply(delivery)
    return (await github.upsert_comment(repo, number, marker, f"{marker}\n{text}")).id


async def read_state(
    github: GitHubPort, repo: str, number: int, marker: str, subject: str
) -> dict[str, Any]:
    """The approval comment as it stands (maybe edited by a maintainer, but written by Baton
    and still opening with its marker), and the PR's head when on a PR."""
    ours = await github.find_own_comments(repo, number, marker)
    head = (await github.get_pull(repo, number)).head_sha if subject == "pull_request" else ""
    return {"body": ours[-1].body if ours else "", "head_sha": head}


async def ask_on_check_run(github: GitHubPort, run: dict[str, Any], plan_hash: str) -> int:
    """The check run asks for a decision, with Approve / Reject buttons."""
    info = RunInfo.model_validate(run)
    update = CheckRunUpdate(
        repo=info.repo,
        name=check_run_name(info.workflow),
        head_sha=info.head_sha or info.config_sha,
        external_id=info.run_id,
        status="completed",
        conclusion="action_required",
        details_url=info.run_url or None,
        title=f"Waiting for approval of plan {plan_hash}",
        summary=f"Comment `/approve {plan_hash}` or `/reject <reason>`, or use the buttons.",
        actions=[
            CheckAction(
                label="Approve", description=f"Approve plan {plan_hash}", identifier="approve"
            ),
            CheckAction(label="Reject", description="Stop this run", identifier="reject"),
        ],
    )
    return (await github.upsert_check_run(update)).id
