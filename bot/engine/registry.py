"""The step registry: step types declare themselves with `@step`; the engine looks them up and
builds each step's typed input by field name from `with`, earlier outputs and the run."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.engine.context import RunInfo, StepContext
from bot.ports.github import GitHubPort

# What a step type shows when its run is cancelled from outside (an operator), where the step
# itself cannot run any more: an approval's comment, say, would still invite a decision.
OnCancel = Callable[[RunInfo, GitHubPort], Awaitable[None]]

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)

ENTRY_POINT_GROUP = "baton.steps"


class RetryPolicy(BaseModel):
    """How the engine retries a step that raised; steps that write must be idempotent."""

    max_attempts: int = 3
    interval_seconds: float = 1.0
    backoff_rate: float = 2.0


@dataclass(frozen=True)
class StepType:
    name: str
    run: Callable[[Any, StepContext], Awaitable[BaseModel]]
    input: type[BaseModel]
    output: type[BaseModel]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    description: str = ""
    # A control step runs in the workflow itself, so it can wait durably (`ctx.receive`); it
    # must do all its I/O through `ctx.checkpoint`, which records each result once.
    control: bool = False
    on_cancel: OnCancel | None = None


_REGISTRY: dict[str, StepType] = {}
_loaded = False


def step(
    name: str,
    *,
    input: type[In],
    output: type[Out],
    retry: RetryPolicy | None = None,
    control: bool = False,
    on_cancel: OnCancel | None = None,
) -> Callable[
    [Callable[[In, StepContext], Awaitable[Out]]], Callable[[In, StepContext], Awaitable[Out]]
]:
    """Register an `async def f(input, ctx) -> output` as the step type `name`."""

    def register(
        func: Callable[[In, StepContext], Awaitable[Out]],
    ) -> Callable[[In, StepContext], Awaitable[Out]]:
        if name in _REGISTRY and _REGISTRY[name].run is not func:
            raise ValueError(f"step type {name!r} is registered twice")
        doc = (func.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = StepType(
            name,
            func,
            input,
            output,
            retry or RetryPolicy(),
            doc[0] if doc else "",
            control,
            on_cancel,
        )
        return func

    return register


def load_step_modules() -> None:
    """Import every module named in the `baton.steps` entry-point group, registering its steps."""
    global _loaded
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        entry.load()
    _loaded = True


def registered() -> dict[str, StepType]:
    """Every step type: those of the installed step modules, and any registered directly."""
    if not _loaded:
        load_step_modules()
    return dict(_REGISTRY)


def get(name: str) -> StepType:
    steps = registered()
    if name not in steps:
        raise KeyError(f"unknown step type {name!r}")
    return steps[name]


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
