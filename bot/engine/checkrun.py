"""How a run shows on GitHub's checks tab: pure rendering of a RunRecord into a check-run update."""

from __future__ import annotations

from pathlib import Path

from bot.engine.record import RunRecord
from bot.ports.github import CheckConclusion, CheckRunUpdate, CheckStatus
from bot.prompts.templates import markdown_templates

_env = markdown_templates(Path(__file__).resolve().parents[1] / "templates")
ICONS = {"pending": "⏳", "succeeded": "✅", "failed": "❌", "skipped": "⏭️"}
CONCLUSIONS: dict[str, CheckConclusion] = {
    "succeeded": "success",
    "neutral": "neutral",
    "failed": "failure",
    "timed_out": "timed_out",
    "cancelled": "cancelled",
}


def check_run_name(workflow: str) -> str:
    return f"Baton: {workflow}"


def render_summary(record: RunRecord) -> str:
    template = _env.get_template("check_run.md.j2")
    return template.render(record=record, icons=ICONS, total_tokens=record.usage.total)


def title_of(record: RunRecord) -> str:
    if record.headline:
        return record.headline
    done = sum(1 for step in record.steps if step.status == "succeeded")
    if record.status == "running":
        return f"Running: {done} of {len(record.steps)} steps done"
    failed = next((s for s in record.steps if s.status == "failed"), None)
    if failed is not None:
        return f"Step `{failed.uses}` failed"
    return f"{done} of {len(record.steps)} steps done"


def check_run_update(record: RunRecord, details_url: str | None) -> CheckRunUpdate:
    status: CheckStatus = "in_progress" if record.status == "running" else "completed"
    return CheckRunUpdate(
        repo=record.run.repo,
        name=check_run_name(record.run.workflow),
        head_sha=record.run.head_sha or record.run.config_sha,
        external_id=record.run.run_id,
        status=status,
        conclusion=CONCLUSIONS.get(record.status),
        title=title_of(record),
        summary=render_summary(record),
        details_url=details_url,
        check_run_id=record.check_run_id,
    )
