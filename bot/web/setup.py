"""What `baton serve` serves: the full app with App credentials, else a set-up notice."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from bot import __version__
from bot.settings import Settings

MISSING = (
    "Baton is running but has no GitHub App credentials. Set GITHUB_APP_ID, GITHUB_PRIVATE_KEY "
    "(or GITHUB_PRIVATE_KEY_PATH) and GITHUB_WEBHOOK_SECRET in the environment or in .env, "
    "then restart `baton serve`."
)


def create_setup_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Baton (not set up)", version=__version__)

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        return f"<!doctype html><title>Baton set-up</title><h1>Baton set-up</h1><p>{MISSING}</p>"

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "not configured", "version": __version__})

    @app.post("/webhooks")
    async def webhooks() -> JSONResponse:
        return JSONResponse({"error": MISSING}, status_code=503)

    return app


def create_serving_app(settings: Settings) -> FastAPI:
    if not settings.has_app_credentials or settings.github_webhook_secret is None:
        return create_setup_app(settings)
    from bot.bootstrap import Baton
    from bot.web.app import create_app

    return create_app(Baton(settings))
