"""Typed handoffs: a step's input is built by field name from `with`, earlier outputs, the run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError


class StepInputError(Exception):
    """A step's input could not be built or did not validate; retrying cannot help."""


def input_namespace(
    run: Mapping[str, Any], outputs: Sequence[Mapping[str, Any]], options: Mapping[str, Any]
) -> dict[str, Any]:
    """Where input fields come from, latest wins: run facts, each earlier output, then `with`."""
    namespace: dict[str, Any] = dict(run)
    for output in outputs:
        namespace.update(output)
    namespace.update(options)
    return namespace


def build_input(
    model: type[BaseModel],
    step_name: str,
    run: Mapping[str, Any],
    outputs: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
) -> BaseModel:
    namespace = input_namespace(run, outputs, options)
    keys = [field.alias or name for name, field in model.model_fields.items()]
    values = {key: namespace[key] for key in keys if key in namespace}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise StepInputError(describe_invalid(step_name, "input", exc)) from exc


def describe_invalid(step_name: str, what: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        location = ".".join(str(part) for part in error["loc"]) or "(root)"
        if error["type"] == "missing":
            problems.append(f"`{location}` is missing (no earlier step produces it)")
        else:
            problems.append(f"`{location}`: {error['msg']}")
    more = f" and {exc.error_count() - 5} more" if exc.error_count() > 5 else ""
    return f"step `{step_name}` got an invalid {what}: " + "; ".join(problems) + more
