"""The web process: webhooks and health, wired to a runtime that bootstrap built."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot import __version__
from bot.bootstrap import Baton
from bot.receive import route as webhooks
from bot.web import api
from bot.web.edge import guard
from bot.web.metrics import metrics_router
from bot.web.openapi_doc import openapi_router
from bot.web.run_pages import router_for_baton
from bot.web.unprocessable import answer_unprocessable

ACK_SWITCH_SECONDS = 0.0005


def create_app(baton: Baton) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        baton.launch()
        # An ack waits on I/O (the socket, the inbox's commit) several times, and each time
        # for the GIL again, which a thread running dispatch hands over only every switch
        # interval: 5 ms by default. At 0.5 ms the ack p99 at 200/s fell by a third
        # (benchmarks/ack.py), for a little more switching in the rest of the process.
        sys.setswitchinterval(ACK_SWITCH_SECONDS)
        try:
            yield
        finally:
            baton.shutdown()

    # No /docs or /redoc (they load their scripts from a CDN); /openapi.json is behind a token.
    app = FastAPI(title="Baton", version=__version__, lifespan=lifespan, openapi_url=None)
    guard(app, baton.settings)  # body limits and security headers (bot/web/edge.py)
    answer_unprocessable(app)  # 422s that stay JSON (bot/web/unprocessable.py)
    app.state.webhook_secret = baton.settings.webhook_secret()
    app.state.inbox = baton.inbox
    app.include_router(webhooks.router)
    app.include_router(api.router)  # /api/runs
    app.include_router(metrics_router(baton.settings, baton.store))
    app.include_router(router_for_baton(baton))  # /runs, /runs/{id}, /login
    app.include_router(openapi_router(baton.settings, baton.store))

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        if baton.store.ping():
            return JSONResponse({"status": "ok", "version": __version__})
        return JSONResponse({"status": "database unreachable"}, status_code=503)

    return app
