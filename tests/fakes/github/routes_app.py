"""App endpoints: installation tokens, the App itself, a repository's installation, /user."""

from __future__ import annotations

import secrets
import time

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Fail, Reply, not_found, route
from tests.fakes.github.shapes import iso


@route("POST", "/app/installations/{installation_id:int}/access_tokens", auth="app")
def create_installation_token(ctx: Ctx) -> Reply:
    installation_id = ctx.params["installation_id"]
    if installation_id not in ctx.fake.installations:
        raise not_found()
    token = state.Token(
        value=f"ghs_{secrets.token_hex(18)}",
        login=ctx.fake.bot_login,
        installation_id=installation_id,
        expires_at=time.time() + ctx.fake.token_ttl,
    )
    ctx.fake.tokens[token.value] = token
    body = {
        "token": token.value,
        "expires_at": iso(token.expires_at),
        "permissions": {"checks": "write", "contents": "write", "issues": "write"},
        "repository_selection": "selected",
    }
    return Reply(201, body)


@route("GET", "/app", auth="app")
def get_app(ctx: Ctx) -> Reply:
    return Reply(200, ctx.shapes.app())


@route("GET", "/repos/{owner}/{repo}/installation", auth="app")
def get_repo_installation(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    return Reply(200, ctx.shapes.installation(repo.installation_id, repo.owner))


@route("GET", "/user", auth="user")
def get_authenticated_user(ctx: Ctx) -> Reply:
    if ctx.token is None or ctx.token.installation_id is not None:
        raise Fail(403, "Resource not accessible by integration")
    return Reply(200, ctx.shapes.user(ctx.token.login))
