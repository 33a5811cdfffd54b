"""How the fake GitHub routes a request: the route table, replies, errors, and pagination."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from starlette.convertors import Convertor
from starlette.routing import compile_path

from tests.fakes.github import state
from tests.fakes.github.shapes_checks import Shapes

if TYPE_CHECKING:
    from tests.fakes.github.fake import FakeGitHub

DOCS = "https://docs.github.com/rest"
# installation or user token; App JWT; user token only; nothing (the manifest code exchange)
Auth = Literal["token", "app", "user", "none"]


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Fail(Exception):
    """Answer with GitHub's error body: `{"message", "errors"?, "documentation_url", "status"}`."""

    def __init__(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(f"{status} {message}")
        body: dict[str, Any] = {"message": message}
        if errors:
            body["errors"] = errors
        self.reply = Reply(status, {**body, "documentation_url": DOCS, "status": str(status)})


def not_found() -> Fail:
    return Fail(404, "Not Found")


@dataclass
class Ctx:
    """One request, as a handler sees it; handlers run holding the fake's lock."""

    fake: FakeGitHub
    seen: state.Seen
    params: dict[str, Any]
    url: str  # the full URL, for Link headers
    accept: str
    shapes: Shapes
    token: state.Token | None  # None when the App authenticated with its JWT

    @property
    def body(self) -> dict[str, Any]:
        return self.seen.json if isinstance(self.seen.json, dict) else {}

    @property
    def login(self) -> str:
        return self.token.login if self.token else f"{self.fake.app_slug}[bot]"

    def repo(self) -> state.Repo:
        """The route's repository; 404 when it is missing or outside the token's installation."""
        repo = self.fake.repos.get(f"{self.params['owner']}/{self.params['repo']}")
        installation = self.token.installation_id if self.token else None
        if repo is None or installation not in (None, repo.installation_id):
            raise not_found()
        return repo

    def pull(self) -> tuple[state.Repo, state.Pull]:
        repo = self.repo()
        pull = repo.pull(int(self.params["number"]))
        if pull is None:
            raise not_found()
        return repo, pull


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    regex: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]
    handler: Handler
    auth: Auth


ROUTES: list[Route] = []


def route(method: str, path: str, auth: Auth = "token") -> Callable[[Handler], Handler]:
    """Register a handler for `method path` (Starlette path syntax: `{number:int}`)."""
    regex, _, convertors = compile_path(path)

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, regex, convertors, handler, auth))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, Any]] | None:
    """The route for a request, or None; 405 is not worth telling apart from 404 here."""
    for candidate in ROUTES:
        found = candidate.regex.match(path)
        if found and candidate.method == method:
            params = {
                key: candidate.convertors[key].convert(value)
                for key, value in found.groupdict().items()
            }
            return candidate, params
    return None


def page(ctx: Ctx, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` (per_page ≤ 100, default 30) and GitHub's Link header."""
    per_page = min(int(ctx.seen.query.get("per_page", 30)), 100)
    number = max(int(ctx.seen.query.get("page", 1)), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    base = ctx.url.split("?", 1)[0]

    def link(to: int, rel: str) -> str:
        return f'<{base}?{urlencode({**ctx.seen.query, "page": to})}>; rel="{rel}"'

    rels = []
    if number < last:
        rels += [link(number + 1, "next"), link(last, "last")]
    if number > 1:
        rels += [link(1, "first"), link(number - 1, "prev")]
    headers = {"Link": ", ".join(rels)} if rels else {}
    return items[(number - 1) * per_page : number * per_page], headers
