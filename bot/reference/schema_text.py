"""A JSON Schema fragment said in words, for the tables of the generated reference pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]
RefText = Callable[[str], str]  # "#/$defs/Name" -> how to show it (a link, or the name)

_NAMES = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false"}


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def alternatives(schema: Schema) -> list[Schema]:
    """The non-null choices of an `anyOf` (a null choice only means the key may be left out)."""
    return [choice for choice in schema.get("anyOf", []) if choice.get("type") != "null"]


def type_text(schema: Schema, ref: RefText) -> str:
    """`list of text`, `map: NAME → [Workflow](#…)`, `one of: a, b`, … for one schema."""
    if "$ref" in schema:
        return ref(schema["$ref"])
    if "anyOf" in schema:
        choices = alternatives(schema)
        if any("description" in choice for choice in choices):
            return "one of the forms below"
        return " or ".join(type_text(choice, ref) for choice in choices)
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return _list_text(schema, ref)
    if kind == "object":
        return _object_text(schema, ref)
    return _scalar_text(schema)


def _list_text(schema: Schema, ref: RefText) -> str:
    text = "list of " + type_text(schema.get("items", {}), ref)
    if schema.get("minItems"):
        text += f" (at least {schema['minItems']})"
    return text


def _object_text(schema: Schema, ref: RefText) -> str:
    for pattern, value in schema.get("patternProperties", {}).items():
        return f"map: NAME (`{pattern}`) → {type_text(value, ref)}"
    values = schema.get("additionalProperties")
    if isinstance(values, dict):
        return f"map: text → {type_text(values, ref)}"
    return "mapping"


def _scalar_text(schema: Schema) -> str:
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "uri":
        return "URL"
    text = _NAMES.get(str(kind), str(kind or "any value"))
    if "pattern" in schema:
        text += f" matching `{schema['pattern']}`"
    if "exclusiveMinimum" in schema:
        text += f" > {schema['exclusiveMinimum']}"
    if "minimum" in schema:
        text += f" ≥ {schema['minimum']}"
    if schema.get("minLength") and kind == "string" and "pattern" not in schema:
        text += " (not empty)"
    return text


def default_text(schema: Schema, required: bool) -> str:
    """The default as it would be written in YAML; `required` when there is none to take."""
    if required:
        return "**required**"
    if "default" not in schema:
        return "its keys' defaults" if "$ref" in schema else "empty"
    value = schema["default"]
    if value is None:
        return "none"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def cell(text: str) -> str:
    """Text fit for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
