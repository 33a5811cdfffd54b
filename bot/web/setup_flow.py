"""Registering the GitHub App from `app.yml` through GitHub's manifest flow, then writing `.env`.

The page posts the manifest to GitHub; GitHub creates the App and sends the browser back to
`/setup/callback` with a one-hour `code`, which Baton trades for the App's id, private key and
webhook secret. `state` ties that return to a page this process served to this browser (it
is in the form and in a cookie), so a link to the callback with someone else's code is refused.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.settings import Settings
from bot.web.envfile import update_env_file
from bot.web.manifest import conversion_url, load_app_yml, manifest, registration_url

STATE_COOKIE = "baton_setup_state"
CODE_LIFETIME = 3600.0  # seconds: GitHub's limit for the whole flow
_pages = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)


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


def base_url(settings: Settings, request: Request) -> str:
    """BATON_PUBLIC_URL when it was set, else the address this page was asked at."""
    if "baton_public_url" in settings.model_fields_set:
        return settings.baton_public_url
    return str(request.base_url)


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


def setup_router(settings: Settings, env_path: Path) -> APIRouter:
    router = APIRouter()
    states = PendingStates()
    done: list[str] = []  # the slug of the App registered, once one is

    @router.get("/", response_class=HTMLResponse)
    async def start(request: Request, org: str = "") -> HTMLResponse:
        state = states.issue()
        try:
            action = registration_url(settings.github_web_url, state, org.strip() or None)
        except ValueError as exc:
            return message("Not an organization name", str(exc), 400, link="/")
        base = base_url(settings, request)
        body = json.dumps(manifest(base, load_app_yml()), indent=2)
        response = page(
            "setup.html.j2", action=action, manifest=body, base=base, org=org, env=env_path
        )
        secure = base.startswith("https://")
        response.set_cookie(
            STATE_COOKIE, state, max_age=int(CODE_LIFETIME), path="/setup", httponly=True,
            samesite="lax", secure=secure,
        )  # fmt: skip
        return response

    @router.get("/setup/callback", response_class=HTMLResponse)
    async def callback(request: Request, code: str = "", state: str = "") -> HTMLResponse:
        if done:
            return message("Already set up", f"This Baton registered {done[0]}: restart it.", 409)
        cookie = request.cookies.get(STATE_COOKIE, "")
        if not (code and state and hmac.compare_digest(state, cookie) and states.redeem(state)):
            return message(
                "This return from GitHub was not expected",
                "It does not match a set-up started from this browser in the last hour.",
                400,
                link="/",
            )
        try:
            app = await convert(settings, code)
            values = credentials(app)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return message("GitHub did not hand over the App", describe(exc), 502, link="/")
        if settings.baton_admin_token is None:  # the run pages and the API open with it
            values["BATON_ADMIN_TOKEN"] = secrets.token_urlsafe(32)
        update_env_file(env_path, values)
        done.append(values["BATON_APP_SLUG"])
        return page("setup_done.html.j2", app=app, env=env_path, keys=list(values))

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
