"""Each fuzzed surface as one call per generated input, and what counts against it: a 5xx, a
hang (no answer within the timeout), a crash (an exception or a dropped connection the surface
does not promise), or a wrong answer (a plan that does not read back as it was rendered; the
API answering without its token)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from urllib.parse import quote

import httpx
import requests
from pydantic import BaseModel
from schemathesis import Case

from bot.config.load import ConfigError, load_config
from bot.engine import registry
from bot.receive.payloads import PayloadError, event_from_body
from handlers.approval.plans import PlanParseError, get_format
from tests.fuzz.http_inputs import Request

Kind = Literal["ok", "5xx", "hang", "crash", "wrong"]
TIMEOUT = 10.0  # seconds; what the tests allow a case, which takes milliseconds


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    detail: str = ""


OK = Outcome("ok")


def timed(call: Callable[[], Outcome], timeout: float) -> Outcome:
    """`call`'s outcome, or a hang if it took longer than `timeout` to come."""
    started = time.monotonic()
    outcome = call()
    took = time.monotonic() - started
    return Outcome("hang", f"took {took:.1f} s") if took > timeout else outcome


def raised(call: Callable[[], object], promised: type[Exception]) -> Outcome:
    """OK if `call` returns or raises what it promises; a crash for any other exception."""
    try:
        call()
    except promised:
        return OK
    except Exception as error:
        return Outcome("crash", f"{type(error).__name__}: {error}")
    return OK


# --- parsers --------------------------------------------------------------------------------


def payload(name: str, body: bytes, timeout: float = TIMEOUT) -> Outcome:
    """A delivery's body read as the receiver reads it, into the Event it stores."""

    def read() -> object:
        return event_from_body(name, "fuzz", body).model_dump(mode="json")

    return timed(lambda: raised(read, PayloadError), timeout)


@cache
def step_inputs() -> dict[str, type[BaseModel]]:
    registry.load_step_modules()
    return {name: spec.input for name, spec in registry.registered().items()}


def config(text: str, timeout: float = TIMEOUT) -> Outcome:
    """A repository's `.github/baton.yml` checked as dispatch checks it."""
    steps = step_inputs()
    return timed(lambda: raised(lambda: load_config(text, steps=steps), ConfigError), timeout)


def plan(name: str, text: str, timeout: float = TIMEOUT) -> Outcome:
    """A plan comment, maybe edited, read back by its format."""
    return timed(lambda: raised(lambda: get_format(name).parse(text), PlanParseError), timeout)


def round_trip(name: str, shown: dict[str, Any], timeout: float = TIMEOUT) -> Outcome:
    """A valid plan rendered and read back unedited: the same plan, so an approval of the
    shown hash is an approval of it."""
    plan_format = get_format(name)

    def compare() -> Outcome:
        text = plan_format.render(shown)
        back = plan_format.parse(text)
        return OK if back == shown else Outcome("wrong", f"{text!r} read back as {back!r}")

    return timed(lambda: _unless_raised(compare), timeout)


def _unless_raised(call: Callable[[], Outcome]) -> Outcome:
    try:
        return call()
    except Exception as error:
        return Outcome("crash", f"{type(error).__name__}: {error}")


# --- HTTP -----------------------------------------------------------------------------------

_addresses = itertools.count(1)


def new_address() -> str:
    """A client address of its own (uvicorn trusts X-Forwarded-For from loopback), so the
    sign-in limit counts one case's wrong tokens against no other case."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def answered(client: httpx.Client, request: Request, timeout: float = TIMEOUT) -> Outcome:
    """What the server answered `request`, against the promise of never a 5xx."""
    return sent(client, request, timeout)[0]


def sent(
    client: httpx.Client, request: Request, timeout: float = TIMEOUT
) -> tuple[Outcome, httpx.Response | None]:
    try:
        response = client.request(
            request.method, request.target, headers=request.headers, content=request.body,
            timeout=timeout,
        )  # fmt: skip
    except httpx.TimeoutException:
        return Outcome("hang", f"no answer within {timeout:g} s: {request}"), None
    except httpx.TransportError as error:
        return Outcome("crash", f"{type(error).__name__}: {error}: {request}"), None
    if response.status_code >= 500:
        shown = f"{response.status_code} {response.text[:300]!r}: {request}"
        return Outcome("5xx", shown), response
    return OK, response


def api_answered(
    case: Case, url: str, token: str | None, timeout: float = TIMEOUT
) -> tuple[Outcome, int]:
    """A schemathesis case sent with the admin `token` (or with what it generated, never the
    token); the outcome, and the status (0 without an answer)."""
    if token is not None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    headers = {"X-Forwarded-For": new_address()}
    try:
        response = case.call(base_url=url, headers=headers, timeout=timeout)
    except requests.Timeout:
        return Outcome("hang", f"no answer within {timeout:g} s: {case.as_curl_command()}"), 0
    except requests.ConnectionError as error:
        return Outcome("crash", f"{error}: {case.as_curl_command()}"), 0
    shown = f"{response.status_code} {response.text[:300]!r}: {case.as_curl_command()}"
    if response.status_code >= 500:
        return Outcome("5xx", shown), response.status_code
    if token is None and response.status_code < 400:
        return Outcome("wrong", f"answered without the token: {shown}"), response.status_code
    return OK, response.status_code


def run_started(
    client: httpx.Client, body: bytes, key: str | None, token: str, timeout: float = TIMEOUT
) -> Outcome:
    """`POST /api/runs` with the token and, if it started a run, `GET` of that run."""
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    headers |= {"x-forwarded-for": new_address(), **({"idempotency-key": key} if key else {})}
    encoded = {name: value.encode() for name, value in headers.items()}
    outcome, response = sent(client, Request("POST", "/api/runs", encoded, body), timeout)
    if response is None or response.status_code != 202:
        return outcome
    run = quote(response.json()["id"], safe=":")
    return answered(client, Request("GET", f"/api/runs/{run}", encoded), timeout)
