"""When a run fails, one short comment on its issue or PR says which step, why, and what next."""

from __future__ import annotations

from typing import Any

from bot.engine import markers, runtime
from bot.engine.record import RunRecord


def failure_comment(record: RunRecord) -> str:
    failed = next(step for step in record.steps if step.status == "failed")
    commands = [f"`{command}`" for command in record.run.commands]
    retry = " or ".join(commands) if commands else "the same trigger"
    link = f" ([details]({record.run.run_url}))" if record.run.run_url else ""
    return (
        f"{markers.failure(record.run.run_id)}\n"
        f"⚠️ Baton's **{record.run.workflow}** run stopped at step `{failed.uses}`{link}: "
        f"{failed.error}\n\nNothing after that step was posted. Try again with {retry} once "
        "the cause is fixed."
    )


async def post_failure(record_data: dict[str, Any]) -> None:
    record = RunRecord.model_validate(record_data)
    github = runtime.current().github(record.run.installation_id)
    marker = markers.failure(record.run.run_id)
    number = record.run.number or 0
    await github.upsert_comment(record.run.repo, number, marker, failure_comment(record))
