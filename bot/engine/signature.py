"""Sign and verify webhook bodies as GitHub does: `sha256=` + hex HMAC-SHA256 of the raw body."""

from __future__ import annotations

import hashlib
import hmac

_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def sign(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value for `body`; also signs Baton's outgoing webhooks."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(secret: str, body: bytes, header_sha256: str | None) -> bool:
    """Whether `header_sha256` (the `X-Hub-Signature-256` header) signs `body` with `secret`.

    Only SHA-256 counts: a delivery with just the legacy SHA-1 `X-Hub-Signature` header passes
    None here and is refused. A malformed header is refused, never an exception. An empty
    secret refuses everything: anyone can compute an HMAC with an empty key.
    """
    if not secret or not header_sha256 or not header_sha256.startswith(_PREFIX):
        return False
    received = header_sha256[len(_PREFIX) :]
    if len(received) != hashlib.sha256().digest_size * 2 or not _HEX_DIGITS.issuperset(received):
        return False
    expected = sign(secret, body)[len(_PREFIX) :]
    # GitHub sends lowercase hex; compare case-insensitively and in constant time.
    return hmac.compare_digest(expected, received.lower())
