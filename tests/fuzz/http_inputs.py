"""Hypothesis strategies for what strangers send Baton over HTTP: JSON, GitHub's example
payloads mutated, and requests down to their header bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote_from_bytes, urlencode

from hypothesis import strategies as st

from bot.engine.signature import sign
from bot.receive.payloads import PAYLOAD_MODELS
from tests.fuzz.json_inputs import json_values, mutated
from tests.payloads import example_payloads


@cache
def examples() -> tuple[tuple[str, Any], ...]:
    """GitHub's example deliveries as (event, payload): never to be changed in place."""
    return tuple(example_payloads())


def event_names() -> st.SearchStrategy[str]:
    known = sorted({name for name, _ in examples()} | set(PAYLOAD_MODELS) | {"ping"})
    return st.sampled_from(known) | st.text(max_size=16)


@st.composite
def payload_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """(event name, body): GitHub's examples as sent, mutated, or under another event's name,
    random JSON, and bytes that are not JSON at all."""
    name, example = draw(st.sampled_from(examples()))
    kind = draw(st.sampled_from(["example", "mutated", "mutated", "renamed", "json", "bytes"]))
    if kind == "bytes":
        return name, draw(st.binary(max_size=256))
    if kind == "json":
        return draw(event_names()), json.dumps(draw(json_values)).encode()
    if kind == "renamed":
        name = draw(event_names())
    body = draw(mutated(example)) if kind == "mutated" else example
    return name, json.dumps(body).encode()


# --- HTTP ---------------------------------------------------------------------------------

# Headers that frame the request itself: a client sets them, so random values there would
# test the client, not Baton.
FRAMING = {"content-length", "transfer-encoding", "host", "connection", "expect", "upgrade", "te"}
_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_!#$%&'*+.^`|~ABCXYZ"
_KNOWN_HEADERS = [
    "content-type", "x-forwarded-for", "authorization", "cookie", "accept", "user-agent",
    "x-github-event", "x-github-delivery", "x-hub-signature", "x-hub-signature-256", "origin",
    "referer", "idempotency-key", "forwarded", "x-real-ip", "content-encoding",
]  # fmt: skip
_OTHER_HEADERS = st.text(st.sampled_from(_TOKEN_CHARS), min_size=1, max_size=20)
header_names = st.sampled_from(_KNOWN_HEADERS) | _OTHER_HEADERS.filter(
    lambda name: name.lower() not in FRAMING
)


def header_value(raw: bytes) -> bytes:
    """What HTTP lets a header value hold of `raw`: visible ASCII, obs-text bytes, and spaces
    and tabs inside."""
    return bytes(b for b in raw if 0x21 <= b != 0x7F or b in (0x20, 0x09)).strip(b" \t")


header_values = st.binary(max_size=80).map(header_value)


@dataclass(frozen=True)
class Request:
    """One request as sent: `target` is the path with its query, already percent-encoded."""

    method: str
    target: str
    headers: dict[str, bytes] = field(default_factory=dict)
    body: bytes = b""


def extra_headers(max_size: int = 4) -> st.SearchStrategy[dict[str, bytes]]:
    return st.dictionaries(header_names, header_values, max_size=max_size)


def query_strings(names: list[str], known: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """`?...` with `names` and other parameters, their values random or `known`, as a form
    would encode them, or raw bytes percent-encoded."""
    odd = ["", "/", "//evil.example", "\\\\x", "%00", *known]
    values = st.text(max_size=40) | st.sampled_from(odd)
    params = st.dictionaries(st.sampled_from(names) | st.text(max_size=8), values, max_size=4)
    encoded = params.map(lambda found: urlencode(found))
    raw = st.binary(max_size=60).map(lambda data: quote_from_bytes(data, safe="=&"))
    return (encoded | raw).map(lambda query: f"?{query}" if query else "")


def cookie_headers(names: list[str], right: dict[str, str]) -> st.SearchStrategy[bytes]:
    """A Cookie header: some of `names` with random values or the `right` one, or junk."""
    value = st.text(st.characters(codec="ascii", min_codepoint=0x21), max_size=40).filter(
        lambda text: ";" not in text and "," not in text
    )
    pairs = st.dictionaries(
        st.sampled_from(names) | st.text(st.sampled_from(_TOKEN_CHARS), min_size=1),
        value | st.sampled_from(list(right.values()) or [""]),
        max_size=3,
    )
    joined = pairs.map(lambda found: "; ".join(f"{k}={v}" for k, v in found.items()).encode())
    return joined | header_values


@st.composite
def webhook_requests(draw: st.DrawFn, secret: str) -> Request:
    """Deliveries to `POST /webhooks`: signed with `secret` or not, with or without GitHub's
    headers, bodies from GitHub's examples to random bytes."""
    name, body = draw(payload_bodies())
    headers = draw(extra_headers(3))
    signature = draw(st.sampled_from(["right", "right", "wrong", "none", "junk", "sha1"]))
    if signature in ("right", "wrong"):
        headers["x-hub-signature-256"] = sign(
            secret if signature == "right" else "x", body
        ).encode()
    elif signature == "junk":
        headers["x-hub-signature-256"] = draw(header_values)
    elif signature == "sha1":
        headers["x-hub-signature"] = b"sha1=" + draw(header_values)
    if draw(st.integers(0, 5)):
        headers["x-github-event"] = header_value(name.encode("utf-8"))
    if draw(st.integers(0, 5)):
        delivery = st.uuids().map(str) | st.text(
            st.sampled_from(_TOKEN_CHARS + ":/"), min_size=1, max_size=300
        )
        headers["x-github-delivery"] = draw(delivery).encode()
    headers.setdefault("content-type", b"application/json")
    method = draw(st.sampled_from(["POST"] * 12 + ["GET", "PUT"]))
    return Request(method, "/webhooks", headers, body)


@st.composite
def sign_in_requests(draw: st.DrawFn, token: str) -> Request:
    """The sign-in form, `GET` and `POST /login`, the admin token among the guesses."""
    fields = st.dictionaries(
        st.sampled_from(["token", "next", "csrf"]) | st.text(max_size=6),
        st.text(max_size=60) | st.sampled_from([token, "/runs", "//evil.example", "/\\evil"]),
        max_size=4,
    )
    body = fields.map(lambda found: urlencode(found).encode()) | st.binary(max_size=200)
    headers = draw(extra_headers(3))
    headers.setdefault("content-type", b"application/x-www-form-urlencoded")
    # Mostly from an address of its own (uvicorn trusts X-Forwarded-For from loopback), so
    # that the sign-in limit's 429 leaves most guesses to be checked.
    headers.setdefault("x-forwarded-for", draw(st.ip_addresses(v=4)).exploded.encode())
    method = draw(st.sampled_from(["POST", "POST", "POST", "GET", "GET", "HEAD"]))
    query = draw(query_strings(["next", "token"]))
    return Request(method, f"/login{query}", headers, draw(body) if method == "POST" else b"")


@st.composite
def setup_requests(draw: st.DrawFn, setup_token: str) -> Request:
    """The set-up page and GitHub's return to it, from strangers and from the operator's
    browser (holding the set-up token's cookie)."""
    path = draw(st.sampled_from(["/", "/setup/callback"]))
    query = draw(query_strings(["token", "org", "code", "state"], (setup_token, "octo-org")))
    right = {"baton_setup_token": setup_token}
    cookies = draw(cookie_headers(["baton_setup_token", "baton_setup_state"], right))
    headers = {**draw(extra_headers(2)), "cookie": cookies}
    if draw(st.booleans()):
        headers["cookie"] = f"baton_setup_token={setup_token}".encode()
    return Request(draw(st.sampled_from(["GET", "GET", "GET", "POST"])), path + query, headers)
