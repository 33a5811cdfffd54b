"""Which repository roles cover which."""

from __future__ import annotations

import pytest

from bot.ports.roles import Role, role_allows

ORDER: list[Role] = ["read", "triage", "write", "maintain", "admin"]


@pytest.mark.parametrize("required", ORDER)
@pytest.mark.parametrize("actual", ["none", *ORDER])
def test_a_role_allows_what_needs_it_or_less(actual: str, required: Role) -> None:
    holds = ["none", *ORDER].index(actual)

    assert role_allows(actual, required) == (holds >= ["none", *ORDER].index(required))


@pytest.mark.parametrize(
    ("actual", "required", "allowed"),
    [
        ("admin", "admin", True),
        ("maintain", "write", True),
        ("write", "write", True),
        ("triage", "write", False),
        ("read", "triage", False),
        ("none", "read", False),
        ("", "read", False),
        ("security-manager", "read", False),  # a custom role: the caller passes its base role
        ("Admin", "read", False),  # GitHub reports lowercase; anything else is not trusted
    ],
)
def test_role_table(actual: str, required: Role, allowed: bool) -> None:
    assert role_allows(actual, required) is allowed
