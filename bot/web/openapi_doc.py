"""`GET /openapi.json`, the API's OpenAPI document, for whoever may use the API.

FastAPI's own route (and its /docs and /redoc pages, which load Swagger UI and ReDoc from a
CDN) is turned off: this one asks for the API's bearer token (bot/web/api.py), or the session
cookie of someone signed in to the run pages.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from bot.settings import Settings
from bot.store.database import Store
from bot.web import pages_auth as auth
from bot.web.api import bearer, require_admin
from bot.web.sessions import Sessions


def openapi_router(settings: Settings, store: Store) -> APIRouter:
    sessions = Sessions(store)

    async def signed_in(request: Request) -> bool:
        secret = auth.admin_token(settings)
        cookie = request.cookies.get(auth.SESSION_COOKIE, "")
        found = auth.session_id(secret, cookie) if secret and cookie else None
        return found is not None and await asyncio.to_thread(sessions.live, found)

    async def document(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> JSONResponse:
        if credentials is not None or not await signed_in(request):
            require_admin(request, credentials)  # the API's check: 401, 429, or 503 with no token
        return JSONResponse(request.app.openapi())

    router = APIRouter(include_in_schema=False)
    router.add_api_route("/openapi.json", document, methods=["GET"])
    return router
