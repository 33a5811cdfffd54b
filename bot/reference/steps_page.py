"""The step types section of docs/prompts-and-workflows.md, written from the step registry."""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.context import RunInfo
from bot.engine.registry import RetryPolicy, StepType
from bot.reference.schema_text import Schema, cell, default_text, ref_name, type_text

BUILT_IN_PACKAGE = "handlers."  # steps other packages (or tests) register are not Baton's to list


def built_in(steps: dict[str, StepType]) -> list[StepType]:
    return [spec for _, spec in sorted(steps.items()) if _is_built_in(spec)]


def _is_built_in(spec: StepType) -> bool:
    return spec.run.__module__.startswith(BUILT_IN_PACKAGE)


def steps_reference(steps: Iterable[StepType]) -> str:
    """The run's facts, then one section per step type: what it does, takes and gives."""
    listed = list(steps)
    makers: dict[str, list[str]] = {}
    for spec in listed:
        for key in _properties(spec.output.model_json_schema(by_alias=True)):
            makers.setdefault(key, []).append(spec.name)
    parts = [_run_facts()]
    parts += [_step_section(spec, makers) for spec in listed]
    parts += [_data_types(listed)]
    return "\n".join(parts)


def _retry_text(retry: RetryPolicy) -> str:
    if retry.max_attempts == 1:
        return "Not retried: a failure ends the run (the step is not idempotent, or waits)."
    return (
        f"Retried: {retry.max_attempts} attempts, {retry.interval_seconds:g} s apart at first, "
        f"times {retry.backoff_rate:g} each time."
    )


def _data_types(steps: list[StepType]) -> str:
    """The shapes that inputs and outputs name (`PullRequestDiff`, `IssueData`, …)."""
    found: dict[str, Schema] = {}
    for spec in steps:
        for model in (spec.input, spec.output):
            found.update(model.model_json_schema(by_alias=True).get("$defs", {}))
    lines = ["### Data types", "", "The shapes named in the tables above.", ""]
    for name in sorted(found):
        fields = _properties(found[name])
        shown = [f"`{key}` ({type_text(prop, ref_name)})" for key, prop in fields.items()]
        lines += [f"- **{name}**: " + ", ".join(shown) + "."]
    return "\n".join([*lines, ""])


def _properties(schema: Schema) -> dict[str, Schema]:
    properties: dict[str, Schema] = schema.get("properties", {})
    return properties


def _run_facts() -> str:
    schema = RunInfo.model_json_schema()
    lines = ["### The run's facts", "", "Every step may take these by name:", ""]
    lines += ["| name | type |", "| --- | --- |"]
    for key, prop in _properties(schema).items():
        lines.append(f"| `{key}` | {cell(type_text(prop, ref_name))} |")
    return "\n".join([*lines, ""])


def _step_section(spec: StepType, makers: dict[str, list[str]]) -> str:
    lines = [f"### `{spec.name}`", "", spec.description, ""]
    if spec.control:
        lines += ["A control step: it runs in the workflow itself and may wait durably.", ""]
    if spec.retry != RetryPolicy():
        lines += [_retry_text(spec.retry), ""]
    schema = spec.input.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    lines += ["| input | type | default | usually from | what it is |"]
    lines += ["| --- | --- | --- | --- | --- |"]
    lines += [
        _input_row(key, prop, key in required, _source(key, spec.name, makers))
        for key, prop in _properties(schema).items()
    ]
    outputs = _properties(spec.output.model_json_schema(by_alias=True))
    shown = [f"`{key}` ({type_text(prop, ref_name)})" for key, prop in outputs.items()]
    lines += ["", "Output: " + ", ".join(shown) + ".", ""]
    return "\n".join(lines)


def _input_row(key: str, prop: Schema, required: bool, source: str) -> str:
    shown = cell(type_text(prop, ref_name))
    what = cell(prop.get("description", ""))
    return f"| `{key}` | {shown} | {default_text(prop, required)} | {source} | {what} |"


def _source(key: str, step: str, makers: dict[str, list[str]]) -> str:
    if key in RunInfo.model_fields:
        return "the run"
    made_by = [name for name in makers.get(key, []) if name != step]
    if made_by:
        return ", ".join(f"`{name}`" for name in made_by)
    return "`with:`"
