"""Read `.github/baton.yml` into a `BatonConfig`, or report every problem with line and column."""

from __future__ import annotations

import difflib
import traceback
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.config.model import PROMPT_NAME, WORKFLOW_NAME, BatonConfig

DEFAULT_PATH = ".github/baton.yml"
MAX_NODES = 50_000  # aliases can make a small file expand enormously ("billion laughs")

Loc = tuple[str | int, ...]


class ConfigProblem(BaseModel):
    """One thing wrong with the file, and where (1-based line and column)."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int
    location: str  # e.g. "workflows.review.steps[2].uses"; "" for the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.file} line {self.line}, column {self.column}: {where}{self.message}"


class ConfigError(Exception):
    """The file cannot be used; `problems` lists everything found, in file order."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class _Found:
    loc: Loc
    message: str
    at_key: bool = False  # point at the key rather than its value


def load_config(
    text: str, *, path: str = DEFAULT_PATH, steps: Mapping[str, type[BaseModel]]
) -> BatonConfig:
    """Parse and check the file against the known step types (name → input model)."""
    return _load(text, path, steps)


def load_config_unchecked(text: str, *, path: str = DEFAULT_PATH) -> BatonConfig:
    """Parse the file without checking step names: for Baton's own defaults, read before any
    step module is imported."""
    return _load(text, path, None)


@dataclass(frozen=True)
class Source:
    """A parsed file, with positions, and the name its problems are reported under."""

    doc: CommentedMap
    path: str

    def plain(self) -> dict[str, Any]:
        return dict(_plain(self.doc, self.path))

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> ConfigProblem:
        return _problem(self.doc, self.path, _Found(loc, message, at_key))


def parse(text: str, path: str = DEFAULT_PATH) -> Source:
    """The file as YAML, or a ConfigError saying where it stops being YAML."""
    return Source(_parse_yaml(text, path), path)


def _load(text: str, path: str, steps: Mapping[str, type[BaseModel]] | None) -> BatonConfig:
    source = parse(text, path)
    return validate(source.plain(), steps, lambda loc: source)


def validate(
    data: dict[str, Any],
    steps: Mapping[str, type[BaseModel]] | None,
    source_of: Callable[[Loc], Source],
) -> BatonConfig:
    """Check `data` (maybe merged from several files); `source_of` says which file a location
    came from, so each problem points into the file that holds it."""
    found: list[_Found] = []
    config = None
    try:
        config = BatonConfig.model_validate(data)
    except ValidationError as error:
        found += [_from_pydantic(detail) for detail in error.errors()]
    if steps is not None:
        found += _step_problems(data, steps)
    if found or config is None:
        problems = {
            source_of(each.loc).problem(each.loc, each.message, at_key=each.at_key)
            for each in found
        }
        raise ConfigError(sorted(problems, key=lambda p: (p.file, p.line, p.column, p.location)))
    return config


def _parse_yaml(text: str, path: str) -> CommentedMap:
    def fail(message: str, line: int = 0, column: int = 0) -> ConfigError:
        return _whole_file_error(path, message, line, column)

    try:
        # The round-trip loader reads YAML 1.2 (so `on` stays a string) and keeps positions.
        doc = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            message = f"{message} ({error.context})"
        raise fail(message, mark.line if mark else 0, mark.column if mark else 0) from error
    except YAMLError as error:
        raise fail(f"invalid YAML: {error}") from error
    except RecursionError:
        raise fail("mappings and lists are nested too deeply to read") from None
    except _BUILD_ERRORS as error:
        raise _unbuildable(path, error) from None
    if doc is None:
        raise fail("the file is empty; it needs at least `version: 1`")
    if not isinstance(doc, CommentedMap):
        kind = _describe(_plain(doc, path))
        raise fail(f"expected a mapping of settings (`version`, `workflows`, ...), got {kind}")
    return doc


_BUILD_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, AssertionError)


def _unbuildable(path: str, error: BaseException) -> ConfigError:
    """ruamel builds a value with an explicit tag (`!!int x`, `!!bool maybe`, a scalar `!!omap`)
    by plain Python calls, whose errors are no YAMLError and carry no position: the problem is
    put at the `node` that ruamel's innermost frame was building."""
    node = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        found = frame.f_locals.get("node")
        node = found if hasattr(found, "start_mark") else node
    mark, tag = getattr(node, "start_mark", None), str(getattr(node, "tag", "") or "")
    shown = f"`{tag.replace('tag:yaml.org,2002:', '!!')}`" if tag else "value of its tag"
    message = f"the value is not a valid {shown}; remove the tag"
    return _whole_file_error(path, message, mark.line if mark else 0, mark.column if mark else 0)


def _whole_file_error(path: str, message: str, line: int = 0, column: int = 0) -> ConfigError:
    problem = ConfigProblem(
        file=path, line=line + 1, column=column + 1, location="", message=message
    )
    return ConfigError([problem])


def _plain(node: Any, path: str) -> Any:
    """The document as plain dicts, lists and scalars, refusing alias bombs."""
    count = 0

    def convert(value: Any) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise _whole_file_error(path, f"the file expands to more than {MAX_NODES} values")
        if isinstance(value, dict):
            return {convert(k): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        for kind in (bool, str, int, float):  # ruamel's scalar subclasses → plain types
            if isinstance(value, kind):
                return kind(value)
        return value

    return convert(node)


def _from_pydantic(detail: ErrorDetails) -> _Found:
    loc, kind, value = tuple(detail["loc"]), detail["type"], detail["input"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return _Found(loc, _unknown(f"key `{key}`", key, _keys_at(loc[:-1])), at_key=True)
    if kind == "missing":
        return _Found(loc, f"`{loc[-1]}` is required")
    if kind == "value_error":
        return _Found(loc, str(detail.get("ctx", {}).get("error", detail["msg"])))
    if kind in _EXPECTED:
        return _Found(loc, f"expected {_EXPECTED[kind]}, got {_describe(value)}")
    if kind == "string_pattern_mismatch":
        pattern = str(detail.get("ctx", {}).get("pattern", ""))
        expected = _PATTERNS.get(pattern, f"text matching `{pattern}`")
        return _Found(loc, f"expected {expected}, got {_describe(value)}", loc[-1] == "[key]")
    message = (
        detail["msg"]
        if isinstance(value, dict | list)
        else f"{detail['msg']}, got {_describe(value)}"
    )
    return _Found(loc, message, at_key=loc[-1:] == ("[key]",))


_EXPECTED = {
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


_PATTERNS = {
    WORKFLOW_NAME: "a name of lowercase letters, digits, `-` and `_`",
    PROMPT_NAME: "a prompt name of lowercase letters, digits, `.`, `-` and `_`",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return f"`{value}`"


def _keys_at(loc: Loc) -> list[str]:
    """The keys accepted by the model at `loc`, by their YAML names."""
    annotation: Any = BatonConfig
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {field.alias or name: field for name, field in annotation.model_fields.items()}
            annotation = fields[part].annotation if part in fields else None
        else:  # list[X] or dict[str, X]
            annotation = (get_args(annotation) or (None,))[-1]
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]` and `X | None`."""
    while get_origin(annotation) in (Annotated, Union, UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    return annotation


def _step_problems(doc: dict[str, Any], steps: Mapping[str, type[BaseModel]]) -> list[_Found]:
    workflows = doc.get("workflows")
    found: list[_Found] = []
    for name, workflow in workflows.items() if isinstance(workflows, dict) else ():
        listed = workflow.get("steps") if isinstance(workflow, dict) else None
        for index, step in enumerate(listed if isinstance(listed, list) else ()):
            if isinstance(step, dict):
                found += _check_step(("workflows", name, "steps", index), step, steps)
    return found


def _check_step(
    loc: Loc, step: dict[Any, Any], steps: Mapping[str, type[BaseModel]]
) -> list[_Found]:
    uses = step.get("uses")
    if not isinstance(uses, str) or not uses:
        return []  # a type problem, which pydantic reports
    if uses not in steps:
        return [_Found((*loc, "uses"), _unknown(f"step `{uses}`", uses, steps))]
    given = step.get("with")
    fields = steps[uses].model_fields.items()
    accepted = {name for name, _ in fields} | {f.alias for _, f in fields if f.alias}
    shown = [field.alias or name for name, field in fields]
    return [
        _Found((*loc, "with", key), _unknown(f"input `{key}` for `{uses}`", str(key), shown), True)
        for key in (given if isinstance(given, dict) else ())
        if key not in accepted
    ]


def _unknown(what: str, word: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(word, known, n=1)
    if close:
        return f"unknown {what} (did you mean `{close[0]}`?)"
    if not known:
        return f"unknown {what}; none are accepted here"
    return f"unknown {what}; expected one of: {', '.join(known)}"


def _problem(doc: CommentedMap, path: str, found: _Found) -> ConfigProblem:
    line, column = _position(doc, found.loc, at_key=found.at_key)
    return ConfigProblem(
        file=path,
        line=line + 1,
        column=column + 1,
        location=_dotted(found.loc),
        message=found.message,
    )


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        if part == "[key]":
            continue
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _position(doc: CommentedMap, loc: Loc, *, at_key: bool) -> tuple[int, int]:
    """0-based line and column of `loc` in the document: the value, or its key; a missing key
    points at the key of the mapping that lacks it."""
    node: Any = doc
    key_pos = value_pos = (0, 0)
    for part in loc:
        if part == "[key]":
            return key_pos
        if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            key_pos = value_pos = _pair(node.lc.item(part))
            node = node[part]
        elif isinstance(node, CommentedMap) and (key := _key_in(node, part)) is not _ABSENT:
            with suppress(KeyError):  # a key merged in with `<<:` has no position of its own
                key_pos, value_pos = _pair(node.lc.key(key)), _pair(node.lc.value(key))
            node = node[key]
        else:
            return key_pos
    return key_pos if at_key or node is None else value_pos  # `key:` alone has no value


def _pair(position: Any) -> tuple[int, int]:
    return int(position[0]), int(position[1])


_ABSENT = object()


def _key_in(node: CommentedMap, part: str | int) -> Any:
    if part in node:
        return part
    if part == "on" and True in node:  # YAML 1.1 reading of `on`
        return True
    return _ABSENT
