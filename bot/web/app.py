"""The web process: webhooks and health, wired to a runtime that bootstrap built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot import __version__
from bot.bootstrap import Baton
from bot.web import api, webhooks
from bot.web.metrics import metrics_router
from bot.web.run_pages import router_for_baton


def create_app(baton: Baton) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        baton.launch()
        try:
            yield
        finally:
            baton.shutdown()

    app = FastAPI(title="Baton", version=__version__, lifespan=lifespan)
    app.state.webhook_secret = baton.settings.webhook_secret()
    app.include_router(webhooks.router)
    app.include_router(api.router)  # /api/runs
    app.include_router(metrics_router(baton.settings, baton.store))
    app.include_router(router_for_baton(baton))  # /runs, /runs/{id}, /login

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        if baton.store.ping():
            return JSONResponse({"status": "ok", "version": __version__})
        return JSONResponse({"status": "database unreachable"}, status_code=503)

    return app
