"""Signing in to Baton's pages with the admin token, and the gate every page passes first."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.settings import Settings
from bot.store.database import Store
from bot.web import pages_auth as auth
from bot.web.page_render import page
from bot.web.sessions import Sessions
from bot.web.sign_in_limit import FAILURES, WINDOW_SECONDS, TooMany, admin_token_given

CLOSED = "Run pages closed"
WRONG = "That is not the admin token (BATON_ADMIN_TOKEN)."


def too_many(refused: TooMany) -> Response:
    message = (
        f"Too many wrong admin tokens came from your address ({FAILURES} within "
        f"{WINDOW_SECONDS:g} s). Try again in {refused.seconds} s: until then no token from it "
        "is checked, not even the right one."
    )
    answer = page("message.html", 429, title="Too many sign-ins", message=message)
    answer.headers["Retry-After"] = str(refused.seconds)
    return answer


class Gate:
    """The admin token's check, shared by the sign-in form and the pages behind it.

    Sessions live in the database (one lookup per page, on a worker thread: the event loop
    also acks webhooks), so signing out in one process ends the session in all of them.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.sessions = Sessions(store)
        self.secure = settings.baton_public_url.startswith("https://")

    def closed(self) -> Response:
        return page("message.html", 503, title=CLOSED, message=auth.NOT_SET_UP)

    async def check(self, request: Request) -> auth.Access | Response:
        """The request's access, or the page to answer instead (closed, sign in, or wait)."""
        secret = auth.admin_token(self.settings)
        if secret is None:
            return self.closed()
        token = auth.bearer(request)
        if token is not None:  # a wrong bearer token is refused even with a cookie
            return self.bearer(request, token, secret)
        cookie = request.cookies.get(auth.SESSION_COOKIE, "")
        if await self.live(secret, cookie):
            return auth.Access("session", auth.csrf_for(secret, cookie))
        return self.sign_in_first(request)

    def bearer(self, request: Request, token: str, secret: str) -> auth.Access | Response:
        try:
            if admin_token_given(request, token, secret, "bearer token, run pages"):
                return auth.Access("bearer")
        except TooMany as refused:
            return too_many(refused)
        return self.sign_in_first(request)

    def sign_in_first(self, request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return page("login.html", 401, next=request.url.path + query, problem="")

    async def live(self, secret: str, cookie: str) -> bool:
        session_id = auth.session_id(secret, cookie)
        return session_id is not None and await asyncio.to_thread(self.sessions.live, session_id)

    async def login_form(self, next: str = "/runs") -> Response:
        if auth.admin_token(self.settings) is None:
            return self.closed()
        return page("login.html", next=auth.safe_next(next), problem="")

    async def login(self, request: Request) -> Response:
        secret = auth.admin_token(self.settings)
        if secret is None:
            return self.closed()
        fields = await auth.form_fields(request)
        target = auth.safe_next(fields.get("next", "/runs"))
        try:
            if not admin_token_given(request, fields.get("token", ""), secret, "the sign-in form"):
                return page("login.html", 401, next=target, problem=WRONG)
        except TooMany as refused:
            return too_many(refused)
        cookie, session_id = auth.new_session(secret)
        await asyncio.to_thread(self.sessions.open, session_id, auth.SESSION_SECONDS)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            auth.SESSION_COOKIE,
            cookie,
            max_age=auth.SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )
        return response

    async def logout(self, request: Request) -> Response:
        """End the session for good, in every process: a copy of its cookie opens nothing."""
        secret = auth.admin_token(self.settings) or ""
        cookie = request.cookies.get(auth.SESSION_COOKIE, "")
        session_id = auth.session_id(secret, cookie) if secret else None
        if session_id is not None:
            fields = await auth.form_fields(request)
            if not auth.same(fields.get("csrf", ""), auth.csrf_for(secret, cookie)):
                return page("message.html", 403, title="Refused", message=auth.EXPIRED)
            await asyncio.to_thread(self.sessions.revoke, session_id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, httponly=True, samesite="strict")
        return response

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)
        router.add_api_route("/login", self.login_form, methods=["GET"])
        router.add_api_route("/login", self.login, methods=["POST"])
        router.add_api_route("/logout", self.logout, methods=["POST"])
        return router
