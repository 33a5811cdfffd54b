"""The fake's ASGI side: authenticate, run hooks and the handler, record, answer."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# The route modules register their handlers when imported.
from tests.fakes.github import (
    routes_app,
    routes_checks,
    routes_git,
    routes_graphql,
    routes_issues,
    routes_manifests,
    routes_pulls,
    routes_repos,
    routes_sub_issues,
    state,
)
from tests.fakes.github.router import Ctx, Fail, Reply, match
from tests.fakes.github.shapes_checks import Shapes

if TYPE_CHECKING:
    from tests.fakes.github.fake import FakeGitHub

ROUTE_MODULES = (
    routes_app,
    routes_checks,
    routes_git,
    routes_graphql,
    routes_issues,
    routes_manifests,
    routes_pulls,
    routes_repos,
    routes_sub_issues,
)
UNPARSABLE = object()  # the body of a request that was not JSON
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
# A hook sees each request before its handler (`before`) or with the handler's reply
# (`after`); a hook that returns a Reply answers in the handler's place.
BeforeHook = Callable[[state.Seen], Reply | None]
AfterHook = Callable[[state.Seen, Reply], Reply | None]


class Stall(Reply):
    """A hook's reply sent only after `seconds`, by when a client with a shorter timeout
    has given up (the server goes on serving others meanwhile)."""

    def __init__(self, seconds: float, reply: Reply) -> None:
        super().__init__(reply.status, reply.body, reply.headers)
        self.seconds = seconds


def _authenticate(fake: FakeGitHub, header: str, auth: str) -> state.Token | None:
    """The request's token, or None for a valid App JWT; Fail(401) for anything else."""
    scheme, _, credential = header.partition(" ")
    if credential.count(".") == 2 and scheme.lower() == "bearer":
        _verify_jwt(fake, credential)
        if auth != "app":
            raise Fail(401, "A JSON web token cannot be used here; use an installation token")
        return None
    token = fake.tokens.get(credential) if scheme.lower() in ("token", "bearer") else None
    if token is None or token.expires_at < time.time():
        raise Fail(401, "Bad credentials")
    if auth == "app":
        raise Fail(401, "A JSON web token could not be decoded")
    return token


def _verify_jwt(fake: FakeGitHub, token: str) -> None:
    try:
        claims = jwt.decode(
            token,
            fake.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"]},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise Fail(401, f"A JSON web token could not be decoded ({exc})") from exc
    if str(claims["iss"]) != str(fake.app_id):
        raise Fail(401, "'Issuer' claim ('iss') must be the App's id")
    if claims["exp"] - claims["iat"] > 600:
        raise Fail(401, "'Expiration time' claim ('exp') is too far in the future")


def _answer(fake: FakeGitHub, request: Request, seen: state.Seen) -> Reply:
    for before in list(fake.before_hooks):
        if (hooked := before(seen)) is not None:
            return hooked
    found = match(seen.method, seen.path)
    if found is None:
        return Fail(404, "Not Found").reply
    spec, params = found
    try:
        header = request.headers.get("authorization", "")
        token = None if spec.auth == "none" else _authenticate(fake, header, spec.auth)
        seen.actor = token.login if token else "app"
        api = str(request.base_url).rstrip("/")
        shapes = Shapes(api, fake.app_id, fake.app_slug, fake.app_owner, fake.user)
        ctx = Ctx(
            fake, seen, params, str(request.url), request.headers.get("accept", ""), shapes, token
        )
        if seen.json is UNPARSABLE:
            raise Fail(400, "Problems parsing JSON")
        with fake.lock:
            reply = spec.handler(ctx)
    except Fail as failure:
        reply = failure.reply
    for after in list(fake.after_hooks):
        if (hooked := after(seen, reply)) is not None:
            return hooked
    return reply


def _response(reply: Reply) -> Response:
    if isinstance(reply.body, str):
        return Response(reply.body, reply.status, reply.headers, "application/vnd.github.raw")
    return JSONResponse(reply.body, reply.status, reply.headers)


def build_app(fake: FakeGitHub) -> Starlette:
    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = UNPARSABLE
        query = dict(request.query_params)
        seen = state.Seen(request.method, request.url.path, query, body, time.monotonic())
        reply = _answer(fake, request, seen)
        if isinstance(reply, Stall):
            await asyncio.sleep(reply.seconds)
        seen.status = reply.status
        with fake.lock:
            fake.requests.append(seen)
        return _response(reply)

    return Starlette(routes=[Route("/{rest:path}", endpoint, methods=METHODS)])
