"""Webhook signatures: only a SHA-256 HMAC of the exact body with our secret is accepted."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.engine.signature import sign, verify_signature

SECRET = "It's a Secret to Everybody"
BODY = b'{"action":"opened","number":2}'


def test_a_body_signed_with_our_secret_is_accepted() -> None:
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY))


def test_sign_matches_githubs_documented_example() -> None:
    # The example from GitHub's "Validating webhook deliveries" page.
    assert sign(SECRET, b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_an_uppercase_hex_signature_is_accepted() -> None:
    header = "sha256=" + sign(SECRET, BODY).removeprefix("sha256=").upper()
    assert verify_signature(SECRET, BODY, header)


def test_a_body_signed_with_another_secret_is_refused() -> None:
    assert not verify_signature(SECRET, BODY, sign("another secret", BODY))


def test_a_body_changed_after_signing_is_refused() -> None:
    header = sign(SECRET, BODY)
    assert not verify_signature(SECRET, BODY.replace(b"2", b"3"), header)


def test_a_legacy_sha1_signature_is_refused() -> None:
    sha1 = "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    assert not verify_signature(SECRET, BODY, sha1)


def test_a_missing_signature_is_refused() -> None:
    assert not verify_signature(SECRET, BODY, None)


def test_an_empty_secret_refuses_even_a_matching_signature() -> None:
    assert not verify_signature("", BODY, sign("", BODY))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "sha256=",
        "sha256",
        "garbage",
        "sha256=not-hex-at-all",
        "sha256=" + "z" * 64,
        "sha256=" + "a" * 63,
        "sha256=" + "a" * 65,
        "sha512=" + "a" * 64,
        "sha256=é" + "a" * 63,
        " " + "sha256=" + "a" * 64,
    ],
    ids=lambda header: repr(header)[:24],
)
def test_a_malformed_signature_is_refused_without_raising(header: str) -> None:
    assert not verify_signature(SECRET, BODY, header)


def test_a_signature_with_its_body_truncated_is_refused() -> None:
    header = sign(SECRET, BODY)
    assert not verify_signature(SECRET, BODY[:-1], header)
