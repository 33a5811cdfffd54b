"""Repository roles and the one question asked of them: does this role cover that one."""

from __future__ import annotations

from typing import Literal

Role = Literal["read", "triage", "write", "maintain", "admin"]
"""A role a config may require (`commands.allowed`, an approval's `from`)."""

ROLES: tuple[str, ...] = ("none", "read", "triage", "write", "maintain", "admin")
"""Every role GitHub reports for a user, weakest first."""


def role_allows(actual: str, required: Role) -> bool:
    """Whether a user holding `actual` may do what needs `required`.

    `actual` is GitHub's `role_name` from the collaborator-permission endpoint, or its legacy
    `permission` (which never says triage or maintain). A custom organisation role name is not
    ranked here, so it allows nothing: the caller should pass the base role it inherits from.
    """
    if actual not in ROLES:
        return False
    return ROLES.index(actual) >= ROLES.index(required)
