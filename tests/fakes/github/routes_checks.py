"""Check run endpoints: create, update, and list a commit's runs."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Fail, Reply, not_found, page, route

OUTPUT_LIMIT = 65535  # characters in an output's summary or text
MAX_ACTIONS = 3
ACTION_LIMITS = {"label": 20, "description": 40, "identifier": 20}  # characters
STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
CONCLUSIONS = (
    "success",
    "failure",
    "neutral",
    "cancelled",
    "skipped",
    "timed_out",
    "action_required",
)


def _invalid(field: str, why: str) -> Fail:
    error = {"resource": "CheckRun", "code": "invalid", "field": field, "message": why}
    return Fail(422, "Validation Failed", [error])


def _apply(run: state.CheckRun, body: dict[str, Any]) -> None:
    """Set the fields the body carries; GitHub completes a run that is given a conclusion."""
    status = body.get("status", run.status)
    conclusion = body.get("conclusion", run.conclusion if status == "completed" else None)
    if status not in STATUSES:
        raise _invalid("status", f"{status!r} is not a check run status")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise _invalid("conclusion", f"{conclusion!r} is not a conclusion")
    if conclusion is not None:
        status = "completed"
    if status == "completed" and conclusion is None:
        raise _invalid("conclusion", "conclusion is required when status is completed")
    output = body.get("output") or {}
    for key in ("summary", "text"):
        if len(output.get(key) or "") > OUTPUT_LIMIT:
            raise _invalid(f"output.{key}", f"is longer than {OUTPUT_LIMIT} characters")
    if output and not (output.get("title") and output.get("summary")):
        raise _invalid("output", "title and summary are required")
    actions = body.get("actions", run.actions)
    _check_actions(actions)
    run.status, run.conclusion = status, conclusion
    run.completed_at = (run.completed_at or time.time()) if status == "completed" else None
    run.name = body.get("name", run.name)
    run.external_id = body.get("external_id", run.external_id)
    run.details_url = body.get("details_url", run.details_url)
    if output:
        run.title, run.summary = output["title"], output["summary"]
        run.text = output.get("text", run.text)
    run.actions = [dict(action) for action in actions]


def _check_actions(actions: Any) -> None:
    """Requested-action buttons: at most three, each with its fields within GitHub's limits."""
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        raise _invalid("actions", f"is not a list of at most {MAX_ACTIONS} actions")
    for action in actions:
        for key, limit in ACTION_LIMITS.items():
            value = action.get(key) if isinstance(action, dict) else None
            if not isinstance(value, str) or not value or len(value) > limit:
                raise _invalid(f"actions.{key}", f"is required, at most {limit} characters")


def _app_only(ctx: Ctx) -> None:
    if ctx.token is not None and ctx.token.installation_id is None:
        raise Fail(403, "You must authenticate via a GitHub App.")


@route("POST", "/repos/{owner}/{repo}/check-runs")
def create_check_run(ctx: Ctx) -> Reply:
    _app_only(ctx)
    repo = ctx.repo()
    name, head_sha = ctx.body.get("name"), ctx.body.get("head_sha")
    if not name or not head_sha:
        raise _invalid("name" if not name else "head_sha", "is required")
    if head_sha not in repo.commits:
        raise Fail(422, "No commit found for SHA: " + head_sha)
    run = state.CheckRun(ctx.fake.next_id(), name, head_sha, ctx.fake.app_id)
    _apply(run, ctx.body)
    repo.check_runs[run.id] = run
    return Reply(201, ctx.shapes.check_run(repo, run))


@route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id:int}")
def update_check_run(ctx: Ctx) -> Reply:
    _app_only(ctx)
    repo = ctx.repo()
    run = repo.check_runs.get(ctx.params["check_run_id"])
    if run is None:
        raise not_found()
    changed = state.CheckRun(**vars(run))
    _apply(changed, ctx.body)  # validate before touching the stored run
    repo.check_runs[run.id] = changed
    return Reply(200, ctx.shapes.check_run(repo, changed))


@route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id:int}")
def get_check_run(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    run = repo.check_runs.get(ctx.params["check_run_id"])
    if run is None:
        raise not_found()
    return Reply(200, ctx.shapes.check_run(repo, run))


@route("GET", "/repos/{owner}/{repo}/commits/{ref:path}/check-runs")
def list_check_runs_for_ref(ctx: Ctx) -> Reply:
    """`filter=latest` (the default) keeps only the newest run of each name."""
    repo = ctx.repo()
    sha = repo.resolve(ctx.params["ref"])
    if sha is None:
        raise Fail(422, f"No commit found for SHA: {ctx.params['ref']}")
    query = ctx.seen.query
    runs = [r for r in repo.check_runs.values() if r.head_sha == sha]
    runs = [r for r in runs if query.get("check_name", r.name) == r.name]
    runs = [r for r in runs if query.get("status", r.status) == r.status]
    if query.get("filter", "latest") == "latest":
        newest = {r.name: r for r in sorted(runs, key=lambda r: r.id)}
        runs = list(newest.values())
    runs.sort(key=lambda r: r.id, reverse=True)
    items, headers = page(ctx, [ctx.shapes.check_run(repo, r) for r in runs])
    return Reply(200, {"total_count": len(runs), "check_runs": items}, headers)
