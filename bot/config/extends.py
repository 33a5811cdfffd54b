"""`extends: owner/name`: another repository's `.github/baton.yml` merged under this file.

How the two files merge, as a user reads them:

- Settings are merged key by key (`llm`, `llm.budget`, `commands`, ...): the repository's file
  wins wherever both files set a key; what it leaves out comes from the extended file.
- `workflows` are merged by name, and a workflow is a unit: one the repository defines replaces
  the extended file's workflow of that name wholesale (its triggers, paths and steps belong
  together; merging step lists would make runs nobody wrote).
- A key set to nothing (`review: ~`) removes what the extended file says there, so a
  repository can drop an organisation workflow or setting.
- One level only: an extended file that itself says `extends` is refused. Every value in force
  then comes from one of two files a reader can open, and no chain can loop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from bot.config.load import DEFAULT_PATH, ConfigError, Loc, Source, parse, validate
from bot.config.model import BatonConfig

_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_WHOLE = ("workflows",)  # mappings whose entries are replaced, never merged


def base_path(repo: str) -> str:
    """How problems name the extended file: the repository, then the path in it."""
    return f"{repo}:{DEFAULT_PATH}"


def extended_repo(text: str, *, path: str = DEFAULT_PATH, repo: str = "") -> str | None:
    """The repository the file names in `extends`, or None; `repo` is the file's own.

    Raises ConfigError for a file that is not YAML or an `extends` that names no repository.
    """
    source = parse(text, path)
    value = source.doc.get("extends")
    if value is None:
        return None
    if not isinstance(value, str) or not _REPO.match(value):
        hint = "expected a repository as `owner/name`, e.g. `my-org/.github`"
        raise ConfigError([source.problem(("extends",), hint)])
    if value.casefold() == repo.casefold():
        raise ConfigError([source.problem(("extends",), "a file cannot extend its own repository")])
    return value


def base_unavailable(
    text: str, base_repo: str, why: str, *, path: str = DEFAULT_PATH
) -> ConfigError:
    """The extended file could not be read: reported at the `extends` line, which the reader
    can change."""
    message = f"`{base_repo}` {why}; fix or remove `extends`"
    return ConfigError([parse(text, path).problem(("extends",), message)])


def load_extended(
    text: str,
    base_text: str,
    *,
    base_repo: str,
    steps: Mapping[str, type[BaseModel]],
    path: str = DEFAULT_PATH,
) -> BatonConfig:
    """The file merged over `base_repo`'s, checked as one; each problem points into its file."""
    over, base = parse(text, path), parse(base_text, base_path(base_repo))
    if base.doc.get("extends") is not None:
        message = (
            "an extended file cannot extend another (one level only); move those settings here"
        )
        raise ConfigError([base.problem(("extends",), message, at_key=True)])
    over_data, base_data = over.plain(), base.plain()
    merged = merge(base_data, over_data)

    def source_of(loc: Loc) -> Source:
        return over if comes_from_over(over_data, base_data, loc) else base

    return validate(merged, steps, source_of)


def merge(base: dict[str, Any], over: dict[str, Any], at: Loc = ()) -> dict[str, Any]:
    """`over` merged onto `base` by the rules in this module's docstring."""
    merged = dict(base)
    for key, value in over.items():
        if value is None:
            merged.pop(key, None)
        elif _merges(at) and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = merge(base[key], value, (*at, key))
        else:
            merged[key] = value
    return merged


def comes_from_over(over: Any, base: Any, loc: Loc) -> bool:
    """Whether the merged value at `loc` is the over file's; a key neither file has is
    reported in the over file, the one its reader edits, unless only the base has its mapping."""
    at: Loc = ()
    for part in loc:
        if part == "[key]" or not isinstance(over, dict):
            return True
        if part not in over:
            return not (isinstance(base, dict) and part in base)
        if not (_merges(at) and isinstance(over[part], dict) and isinstance(base, dict)):
            return True
        if not isinstance(base.get(part), dict):
            return True
        over, base, at = over[part], base[part], (*at, part)
    return True


def _merges(at: Loc) -> bool:
    return tuple(at[:1]) != _WHOLE
