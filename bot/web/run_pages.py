"""The run pages: `/runs` (filtered, newest first, paged) and `/runs/{id}` with the Retry, Cancel
and Fork buttons. The check run's "Details" link opens `/runs/{id}`; run ids hold `:`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dbos import DBOS
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.bootstrap import Baton
from bot.runs.query import RunFilter
from bot.runs.service import RunActionRefused, RunNotFound, RunService
from bot.runs.views import STATUSES
from bot.settings import Settings
from bot.store.database import Store
from bot.web import pages_auth as auth
from bot.web.login import Gate
from bot.web.page_render import page, run_path

PER_PAGE, MAX_PER_PAGE = 25, 100
Action = Callable[[RunService, str, dict[str, str]], Awaitable[str]]


def number(text: str | None, default: int, high: int) -> int:
    return min(max(int(text), 1), high) if text and text.isdigit() and len(text) < 10 else default


def no_run(run_id: str) -> Response:
    return page("message.html", 404, title="No such run", message=f"There is no run {run_id!r}.")


async def retry(runs: RunService, run_id: str, fields: dict[str, str]) -> str:
    return await runs.retry(run_id)


async def cancel(runs: RunService, run_id: str, fields: dict[str, str]) -> str:
    await runs.cancel(run_id)
    return run_id


async def fork(runs: RunService, run_id: str, fields: dict[str, str]) -> str:
    step = fields.get("step", "")
    if not step.isdigit():
        raise RunActionRefused("say which step to fork from (a step number)")
    return await runs.fork(run_id, int(step))


class RunPages:
    def __init__(self, gate: Gate, service: Callable[[], RunService]) -> None:
        self.gate, self.service = gate, service

    async def list_page(
        self, request: Request, repo: str = "", workflow: str = "", status: str = ""
    ) -> Response:
        granted = await self.gate.check(request)
        if isinstance(granted, Response):
            return granted
        wanted = RunFilter(repo.strip(), workflow.strip(), status.strip())
        params = request.query_params
        size = number(params.get("per_page"), PER_PAGE, MAX_PER_PAGE)
        runs = self.service()
        listed = await runs.find(wanted, number(params.get("page"), 1, 10**9), size)
        repos, workflows = runs.choices()
        return page(
            "runs.html",
            listed=listed,
            wanted=wanted,
            repos=repos,
            workflows=workflows,
            statuses=STATUSES,
            per_page=size if "per_page" in params else None,
            csrf=granted.csrf,  # for the sign-out form
        )

    async def run_page(self, request: Request, run_id: str) -> Response:
        granted = await self.gate.check(request)
        if isinstance(granted, Response):
            return granted
        return await self.show(run_id, granted)

    async def show(
        self, run_id: str, granted: auth.Access, problem: str = "", code: int = 200
    ) -> Response:
        try:
            detail = await self.service().get(run_id)
        except RunNotFound:
            return no_run(run_id)
        values = {"run": detail, "rec": detail.record, "csrf": granted.csrf, "problem": problem}
        return page("run.html", code, **values)

    async def act(self, request: Request, run_id: str, action: Action) -> Response:
        granted = await self.gate.check(request)
        if isinstance(granted, Response):
            return granted
        fields = await auth.form_fields(request)
        if not auth.csrf_ok(granted, fields):
            return page("message.html", 403, title="Refused", message=auth.EXPIRED)
        try:
            target = await action(self.service(), run_id, fields)
        except RunNotFound:
            return no_run(run_id)
        except RunActionRefused as refused:
            return await self.show(run_id, granted, str(refused), 409)
        return RedirectResponse(run_path(target), status_code=303)

    async def retry(self, request: Request, run_id: str) -> Response:
        return await self.act(request, run_id, retry)

    async def cancel(self, request: Request, run_id: str) -> Response:
        return await self.act(request, run_id, cancel)

    async def fork(self, request: Request, run_id: str) -> Response:
        return await self.act(request, run_id, fork)


def create_router(settings: Settings, service: Callable[[], RunService], store: Store) -> APIRouter:
    """The sign-in and run pages; `service` is called per request (DBOS is launched later).
    Sessions are kept in `store`'s database."""
    gate = Gate(settings, store)
    pages = RunPages(gate, service)
    router = gate.router()
    router.add_api_route("/runs", pages.list_page, methods=["GET"])
    for name in ("retry", "cancel", "fork"):
        router.add_api_route(
            f"/runs/{{run_id:path}}/{name}", getattr(pages, name), methods=["POST"]
        )
    router.add_api_route("/runs/{run_id:path}", pages.run_page, methods=["GET"])
    return router


def router_for_baton(baton: Baton) -> APIRouter:
    """The pages of a `baton serve` process: its store, and DBOS once launched."""
    settings = baton.settings

    def service() -> RunService:
        return RunService(
            DBOS,
            baton.store,
            settings.baton_application_version,
            settings.baton_public_url,
            github=baton.runtime.github,
        )

    return create_router(settings, service, baton.store)
