"""Signing in to Baton's pages with the admin token, and the gate every page passes first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.settings import Settings
from bot.web import pages_auth as auth
from bot.web.page_render import page

CLOSED = "Run pages closed"


class Gate:
    """The admin token's check, shared by the sign-in form and the pages behind it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secure = settings.baton_public_url.startswith("https://")

    def closed(self) -> Response:
        return page("message.html", 503, title=CLOSED, message=auth.NOT_SET_UP)

    def check(self, request: Request) -> auth.Access | Response:
        """The request's access, or the page to answer instead (closed, or sign in first)."""
        secret = auth.admin_token(self.settings)
        if secret is None:
            return self.closed()
        granted = auth.access(request, secret)
        if granted is None:
            query = f"?{request.url.query}" if request.url.query else ""
            return page("login.html", 401, next=request.url.path + query, problem="")
        return granted

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
        if not auth.same(fields.get("token", ""), secret):
            problem = "That is not the admin token (BATON_ADMIN_TOKEN)."
            return page("login.html", 401, next=target, problem=problem)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            auth.SESSION_COOKIE,
            auth.new_session(secret),
            max_age=auth.SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )
        return response

    async def logout(self) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, httponly=True, samesite="strict")
        return response

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)
        router.add_api_route("/login", self.login_form, methods=["GET"])
        router.add_api_route("/login", self.login, methods=["POST"])
        router.add_api_route("/logout", self.logout, methods=["POST"])
        return router
