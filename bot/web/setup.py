"""What `baton serve` serves: the full app with App credentials, else the set-up page."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot import __version__
from bot.ops.logs import configure_logging
from bot.settings import Settings
from bot.web.edge import guard
from bot.web.setup_flow import setup_router

MISSING = (
    "Baton is running but has no GitHub App credentials. Set GITHUB_APP_ID, GITHUB_PRIVATE_KEY "
    "(or GITHUB_PRIVATE_KEY_PATH) and GITHUB_WEBHOOK_SECRET in the environment or in .env, "
    "then restart `baton serve`."
)


def create_setup_app(
    settings: Settings, env_path: Path | None = None, token: str | None = None
) -> FastAPI:
    """The set-up page (GitHub's manifest flow, writing `.env` in the working directory), open
    to whoever holds `token` (random unless given); `app.state.setup_url` carries it."""
    configure_logging(settings.baton_log_level, settings.baton_log_format)
    app = FastAPI(title="Baton (not set up)", version=__version__, openapi_url=None)
    guard(app, settings, form_targets=[settings.github_web_url])  # its form posts to GitHub
    token = token or secrets.token_urlsafe(24)
    app.state.setup_url = f"{settings.baton_public_url.rstrip('/')}/?token={token}"
    app.include_router(setup_router(settings, env_path or Path.cwd() / ".env", token))

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
