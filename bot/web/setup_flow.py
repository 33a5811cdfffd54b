"""Registering the GitHub App from `app.yml` through GitHub's manifest flow, then writing `.env`.

The page posts the manifest to GitHub; GitHub creates the App and sends the browser back to
`/setup/callback` with a one-hour `code`, which Baton trades for the App's id, private key and
webhook secret. `state` ties that return to a page this process served to this browser (it
is in the form and in a cookie), so a link to the callback with someone else's code is refused.

Before the App exists, anyone who can reach Baton could register an App of their own and have
its credentials written to `.env`. So the page and its callback also want the set-up token that
`baton serve` printed when it started: opened once with `?token=…`, it is kept in a cookie for
the rest of the flow, and it is spent once an App is written.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.prompts.templates import html_templates
from bot.settings import Settings
from bot.web.envfile import update_env_file
from bot.web.manifest import conversion_url, load_app_yml, manifest, registration_url

STATE_COOKIE = "baton_setup_state"
TOKEN_COOKIE = "baton_setup_token"
CODE_LIFETIME = 3600.0  # seconds: GitHub's limit for the whole flow
_pages = html_templates(Path(__file__).resolve().parents[1] / "templates")


class PendingStates:
    """The `state` of each page served in the last hour; each is good for one return."""

    def __init__(self) -> None:
        self._expires: dict[str, float] = {}

    def issue(self) -> str:
        now = time.monotonic()
        self._expires = {s: t for s, t in self._expires.items() if t > now}
        state = secrets.token_urlsafe(24)
        self._expires[state] = now + CODE_LIFETIME
        return state

    def redeem(self, state: str) -> bool:
        return self._expires.pop(state, 0.0) > time.monotonic()


def page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(_pages.get_template(template).render(**values), status_code=status)


def message(title: str, text: str, status: int, link: str = "") -> HTMLResponse:
    return page("setup_result.html.j2", status, title=title, text=text, link=link)


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def holds_token(request: Request, token: str) -> bool:
    """Whether this browser opened the set-up address with the token `baton serve` printed."""
    return same(request.cookies.get(TOKEN_COOKIE, ""), token)


def no_token() -> HTMLResponse:
    return message(
        "Open the set-up address printed by baton serve",
        "This Baton has no GitHub App yet, and only its operator may register one: open the "
        "address `baton serve` printed when it started (it carries a one-time set-up token).",
        403,
    )


def keep_token(token: str, secure: bool, org: str) -> RedirectResponse:
    """The token moves from the address to a cookie, so it is not left in the browser's
    history or sent on to GitHub."""
    target = f"/?org={quote(org)}" if org else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        TOKEN_COOKIE, token, max_age=int(CODE_LIFETIME), path="/", httponly=True, samesite="lax",
        secure=secure,
    )  # fmt: skip
    return response


async def convert(settings: Settings, code: str) -> dict[str, Any]:
    """POST /app-manifests/{code}/conversions: no authentication, the code is the proof."""
    async with httpx.AsyncClient(timeout=settings.baton_github_timeout_seconds) as client:
        response = await client.post(
            conversion_url(settings.github_api_url, code),
            headers={"Accept": "application/vnd.github+json", "User-Agent": "Baton"},
        )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def credentials(app: dict[str, Any]) -> dict[str, str]:
    """The settings Baton needs from GitHub's answer; KeyError if one is missing."""
    if not app.get("webhook_secret"):
        raise KeyError("webhook_secret")
    return {
        "GITHUB_APP_ID": str(app["id"]),
        "GITHUB_PRIVATE_KEY": str(app["pem"]),
        "GITHUB_WEBHOOK_SECRET": str(app["webhook_secret"]),
        "BATON_APP_SLUG": str(app["slug"]),
    }


class SetupFlow:
    """The set-up page and GitHub's return to it, for the operator holding the set-up token."""

    def __init__(self, settings: Settings, env_path: Path, token: str) -> None:
        self.settings, self.env_path, self.token = settings, env_path, token
        self.states = PendingStates()
        self.done = ""  # the slug of the App registered, once one is
        self.base = settings.baton_public_url  # never the request's Host: the browser picks that
        self.secure = self.base.startswith("https://")

    def refused(self, request: Request) -> HTMLResponse | None:
        if self.done:
            return message("Already set up", f"This Baton registered {self.done}: restart it.", 409)
        return None if holds_token(request, self.token) else no_token()

    async def start(self, request: Request, org: str = "", token: str = "") -> Response:
        if token and not self.done and same(token, self.token):
            return keep_token(self.token, self.secure, org.strip())
        refused = self.refused(request)
        if refused is not None:
            return refused
        state = self.states.issue()
        try:
            action = registration_url(self.settings.github_web_url, state, org.strip() or None)
        except ValueError as exc:
            return message("Not an organization name", str(exc), 400, link="/")
        body = json.dumps(manifest(self.base, load_app_yml()), indent=2)
        response = page(
            "setup.html.j2", action=action, manifest=body, base=self.base, org=org,
            env=self.env_path,
        )  # fmt: skip
        response.set_cookie(
            STATE_COOKIE, state, max_age=int(CODE_LIFETIME), path="/setup", httponly=True,
            samesite="lax", secure=self.secure,
        )  # fmt: skip
        return response

    async def callback(self, request: Request, code: str = "", state: str = "") -> HTMLResponse:
        refused = self.refused(request)
        if refused is not None:
            return refused
        cookie = request.cookies.get(STATE_COOKIE, "")
        if not (code and state and same(state, cookie) and self.states.redeem(state)):
            return message(
                "This return from GitHub was not expected",
                "It does not match a set-up started from this browser in the last hour.",
                400,
                link="/",
            )
        try:
            app = await convert(self.settings, code)
            values = credentials(app)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return message("GitHub did not hand over the App", describe(exc), 502, link="/")
        if self.settings.baton_admin_token is None:  # the run pages and the API open with it
            values["BATON_ADMIN_TOKEN"] = secrets.token_urlsafe(32)
        update_env_file(self.env_path, values)
        self.done = values["BATON_APP_SLUG"]
        return page("setup_done.html.j2", app=app, env=self.env_path, keys=list(values))


def setup_router(settings: Settings, env_path: Path, token: str) -> APIRouter:
    flow = SetupFlow(settings, env_path, token)
    router = APIRouter()
    router.add_api_route("/", flow.start, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/setup/callback", flow.callback, methods=["GET"], response_class=HTMLResponse
    )
    return router


def describe(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return (
            f"GitHub answered {exc.response.status_code} to the code exchange (a code works once, "
            "for an hour): start again."
        )
    if isinstance(exc, KeyError):
        return f"GitHub's answer has no {exc.args[0]}."
    return f"The code exchange with GitHub failed: {type(exc).__name__}: {exc}"
