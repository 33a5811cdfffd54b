"""Who may use the run pages: the admin token as a bearer, or a session cookie it was traded for.

The cookie holds a random session id, which the database knows until it expires or is signed
out of (bot/web/sessions.py), and an HMAC of the id keyed by the admin token, so changing the
token ends every session. Forms that change runs carry a CSRF token (an HMAC of the cookie);
the cookie is also SameSite=Strict, so other sites' pages cannot send it at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request

from bot.settings import Settings

SESSION_COOKIE = "baton_session"
SESSION_SECONDS = 12 * 3600
NOT_SET_UP = (
    "The run pages are closed: set BATON_ADMIN_TOKEN (a long random string) in the environment "
    "or .env of `baton serve`, restart it, and sign in with that token."
)
EXPIRED = "The form has expired (or came from elsewhere): reload the page and try again."


@dataclass(frozen=True)
class Access:
    """How the request was let in; forms rendered for it carry `csrf` (empty for a bearer)."""

    by: str  # "bearer" or "session"
    csrf: str = ""


def admin_token(settings: Settings) -> str | None:
    token = settings.baton_admin_token
    return token.get_secret_value() if token is not None and token.get_secret_value() else None


def _mac(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def new_session(secret: str) -> tuple[str, str]:
    """A new session: its cookie, and the random id in it that the database is to know."""
    session_id = secrets.token_urlsafe(32)
    return f"{session_id}.{_mac(secret, 'session', session_id)}", session_id


def session_id(secret: str, cookie: str) -> str | None:
    """The id in a cookie the admin token signed, else None: forgeries cost no lookup."""
    found, _, mac = cookie.partition(".")
    return found if found and same(mac, _mac(secret, "session", found)) else None


def csrf_for(secret: str, session: str) -> str:
    return _mac(secret, "csrf", session)


def bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form body (the only kind these pages post)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def csrf_ok(granted: Access, fields: dict[str, str]) -> bool:
    """A bearer is never sent by a browser on its own, so only sessions need the form token."""
    return granted.by == "bearer" or same(fields.get("csrf", ""), granted.csrf)


def safe_next(target: str) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/runs"
