"""The HTTP API: start a workflow by name (`POST /api/runs`) and poll the run it started.

Behind `Authorization: Bearer $BATON_ADMIN_TOKEN`. Unlike webhooks, a start asks GitHub (for
the repository's installation and config) before answering, so that a workflow that cannot be
started through the API is refused with its reason rather than accepted and dropped.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from dbos import DBOS
from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.api import idempotency
from bot.api.models import IDEMPOTENCY_KEY, Problem, RunAccepted, RunRequest, RunView
from bot.api.named_runs import NamedStart, StartRefused, plan_named, register
from bot.engine import runtime
from bot.engine.runner import RunPlan, start_run
from bot.ports.github import GitHubError
from bot.web.api_views import run_view
from bot.web.pages_auth import admin_token
from bot.web.sign_in_limit import TooMany, admin_token_given

bearer = HTTPBearer(auto_error=False, description="The value of BATON_ADMIN_TOKEN.")


class InstallationLookup(Protocol):
    async def of_repo(self, repo: str) -> int | None: ...


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    secret = admin_token(runtime.current().settings)
    if secret is None:
        raise HTTPException(
            503, "the API is closed: set BATON_ADMIN_TOKEN (a long random string) and restart"
        )
    try:  # a wrong token is logged and counted against the client's address
        given = credentials is not None and admin_token_given(
            request, credentials.credentials, secret, "bearer token, API"
        )
    except TooMany as refused:
        raise HTTPException(429, refused.message, {"Retry-After": str(refused.seconds)}) from None
    if not given:
        raise HTTPException(
            401, "missing or wrong bearer token (BATON_ADMIN_TOKEN)", {"WWW-Authenticate": "Bearer"}
        )


def installations(request: Request) -> InstallationLookup:
    """Built on first use from the settings: the App's JWT asks GitHub, not an installation."""
    found: InstallationLookup | None = getattr(request.app.state, "installations", None)
    if found is None:
        from bot.adapters.github_installations import app_installations

        found = request.app.state.installations = app_installations(runtime.current().settings)
    return found


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text}
    for code, text in {
        401: "No or a wrong bearer token.",
        404: "The App is not installed on the repository, or no such run.",
        409: "The Idempotency-Key was used before for a different request.",
        429: "Too many wrong tokens came from this address: retry after `Retry-After` seconds.",
        502: "GitHub did not answer.",
        503: "BATON_ADMIN_TOKEN is not set: the API is closed.",
    }.items()
}
router = APIRouter(prefix="/api", tags=["runs"], dependencies=[Depends(require_admin)])


def accepted(run_id: str, status: Any) -> RunAccepted:
    public = runtime.current().settings.baton_public_url.rstrip("/")
    quoted = quote(run_id, safe=":")
    return RunAccepted(
        id=run_id, status=status, url=f"{public}/api/runs/{quoted}", page=f"{public}/runs/{quoted}"
    )


async def planned(body: RunRequest, lookup: InstallationLookup, delivery: str) -> RunPlan:
    installation = await lookup.of_repo(body.repo)
    if installation is None:
        raise StartRefused(404, f"Baton's GitHub App is not installed on {body.repo}")
    subject, number = "none", None
    if body.subject is not None:
        subject = "pull_request" if body.subject.pull else "issue"
        number = body.subject.pull or body.subject.issue
    start = NamedStart.model_validate(
        {
            "repo": body.repo,
            "installation_id": installation,
            "workflow": body.workflow,
            "trigger": "api",
            "delivery_id": delivery,
            "subject": subject,
            "number": number,
            "inputs": body.inputs,
            "sender": "api",
        }
    )
    return RunPlan.model_validate(await plan_named(start.model_dump(mode="json")))


async def started_before(key: str, digest: str) -> str | None:
    """The run a retried request already started, or None; KeyReused for another request."""
    found = await asyncio.to_thread(idempotency.known, runtime.current().store, key)
    if found is None:
        return None
    if found.request_hash != digest:
        raise idempotency.KeyReused(key)
    return found.run_id if await DBOS.get_workflow_status_async(found.run_id) else None


async def start(body: RunRequest, lookup: InstallationLookup, key: str | None) -> str:
    store, digest = runtime.current().store, idempotency.request_hash(body)
    if key is not None and (run_id := await started_before(key, digest)):
        return run_id
    plan = await planned(body, lookup, f"api:{key or uuid.uuid4()}")
    if key is not None:
        await asyncio.to_thread(idempotency.claim, store, key, digest, plan.run.run_id)
    await register(plan.model_dump(mode="json"))
    return await start_run(plan)


@router.post("/runs", status_code=202, responses=ERRORS)
async def create_run(
    body: RunRequest,
    lookup: Annotated[InstallationLookup, Depends(installations)],
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=IDEMPOTENCY_KEY,
            description="Makes a retried request start nothing twice: the same key and body "
            "answer the first run's id; the same key with another body is refused (409).",
        ),
    ] = None,
) -> RunAccepted:
    """Start a workflow that lists `api` among its triggers (else 422, saying so)."""
    try:
        run_id = await start(body, lookup, idempotency_key)
    except StartRefused as refused:
        raise HTTPException(refused.status, refused.message) from None
    except idempotency.KeyReused:
        raise HTTPException(409, "this Idempotency-Key was used for a different request") from None
    except GitHubError as exc:
        raise HTTPException(502, f"could not read the repository from GitHub: {exc}") from None
    view = await run_view(run_id)
    return accepted(run_id, view.status if view else "queued")


@router.get("/runs/{run_id}", responses=ERRORS)
async def get_run(run_id: str) -> RunView:
    """A run's status, steps, result and links; poll until `finished`."""
    view = await run_view(run_id)
    if view is None:
        raise HTTPException(404, f"no run {run_id!r}")
    return view
