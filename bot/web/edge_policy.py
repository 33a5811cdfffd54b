"""What Baton's HTTP edge allows: how large a request body may be, and the security headers on
every answer (bot/web/edge.py applies both)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Headers = list[tuple[bytes, bytes]]
KB, MB = 1024, 1024 * 1024


@dataclass(frozen=True)
class BodyLimit:
    """The most a request body may hold, and how a refusal names it."""

    size: int
    shown: str
    of: str


# GitHub caps a webhook payload at 25 MB (it does not send larger events at all).
WEBHOOKS = BodyLimit(25 * MB, "25 MB", "webhook deliveries")
# A run request is a repository, a workflow, a subject and at most 50 short inputs.
API = BodyLimit(1 * MB, "1 MB", "the API")
# Everything else Baton takes is a small urlencoded form: sign in and out, retry, cancel, fork.
FORMS = BodyLimit(64 * KB, "64 KB", "forms")


def body_limit(path: str) -> BodyLimit:
    if path == "/webhooks":
        return WEBHOOKS
    return API if path.startswith("/api/") else FORMS


def declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The request's Content-Length, if it has a readable one (a chunked body has none)."""
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def too_large(limit: BodyLimit) -> str:
    return f"the request body is larger than {limit.shown}, the limit for {limit.of}"


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this inline text (a <style> or <script> body)."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(stylesheet: str, form_targets: Iterable[str] = ()) -> str:
    """Nothing but the pages' one inline stylesheet, forms posted to Baton itself (and to
    `form_targets`: GitHub, for the set-up page), and no framing. Baton's pages run no script."""
    forms = " ".join(["'self'", *(origin(url) for url in form_targets)])
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {csp_hash(stylesheet)}",
            f"form-action {forms}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def security_headers(stylesheet: str, form_targets: Iterable[str] = ()) -> Headers:
    """The headers every answer carries, as ASGI wants them."""
    policy = content_security_policy(stylesheet, form_targets)
    return [
        (b"content-security-policy", policy.encode("ascii")),
        (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
        (b"x-content-type-options", b"nosniff"),
        # As base.html's <meta>: Baton's addresses (run ids, filters) stay on Baton.
        (b"referrer-policy", b"same-origin"),
    ]
