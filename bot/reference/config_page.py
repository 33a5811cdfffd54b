"""docs/configuration.md: the reference of `.github/baton.yml`, written from its JSON Schema."""

from __future__ import annotations

import re
from typing import Any

from bot.config.defaults import DEFAULT_CONFIG_YAML
from bot.reference.schema_text import (
    Schema,
    alternatives,
    cell,
    default_text,
    ref_name,
    type_text,
)

INTRO = """\
# Configuration reference: `.github/baton.yml`

<!-- Generated from the JSON Schema by ./scripts/gen-docs; edit bot/config/model.py instead. -->

Baton reads `.github/baton.yml` from the repository's **default branch** (a pull request cannot
change the rules that review it). Without the file, the built-in workflows run; with it, only
the workflows it lists (the built-in ones are at the end of this page, to copy from).

`baton config check .github/baton.yml` prints every problem with its line and column.
`baton config schema` prints the JSON Schema (draft 2020-12) this page is generated from; save
it and point your editor at it (for the YAML language server, a first line
`# yaml-language-server: $schema=PATH-TO/baton.schema.json`) to have the file checked as you type.

The step types a workflow may use, and the inputs each takes under `with:`, are listed in
[Prompts and workflows](prompts-and-workflows.md#step-types).
"""


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as `-`."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def section_paths(schema: Schema) -> dict[str, str]:
    """Each definition's name → the first key path it appears at, e.g. `llm.budget`."""
    found: dict[str, str] = {}
    queue: list[tuple[str, Schema]] = [("", schema)]
    while queue:
        path, node = queue.pop(0)
        for key, child in _children(node):
            child_path = _join(path, key)
            ref = child.get("$ref")
            if ref is not None:
                name = ref_name(ref)
                if name not in found:
                    found[name] = child_path
                    queue.append((child_path, schema["$defs"][name]))
            else:
                queue.append((child_path, child))
    return found


def _join(path: str, key: str) -> str:
    if key in ("", "[]"):
        return path + key
    return f"{path}.{key}" if path else key


def _children(node: Schema) -> list[tuple[str, Schema]]:
    children: list[tuple[str, Schema]] = list(node.get("properties", {}).items())
    children += [("NAME", value) for value in node.get("patternProperties", {}).values()]
    if isinstance(node.get("items"), dict):
        children.append(("[]", node["items"]))
    children += [("", choice) for choice in alternatives(node)]
    return children


def config_reference(schema: dict[str, Any]) -> str:
    """The whole page, from `config_json_schema()`."""
    paths = section_paths(schema)
    headings = {name: f"`{path}`" for name, path in paths.items()}

    def link(ref: str) -> str:
        name = ref_name(ref)
        return f"[{headings[name]}](#{slug(headings[name])})"

    parts = [INTRO, _section("The file", schema, link)]
    ordered = sorted(paths, key=lambda name: paths[name])
    parts += [_section(headings[name], schema["$defs"][name], link) for name in ordered]
    parts += [_BUILT_IN.format(yaml=DEFAULT_CONFIG_YAML)]
    return "\n".join(parts)


_BUILT_IN = """\
## The built-in workflows

What runs in a repository without `.github/baton.yml`:

```yaml
{yaml}```
"""


def _section(heading: str, node: Schema, link: Any) -> str:
    lines = [f"## {heading}", "", node.get("description", ""), ""]
    lines += ["| key | type | default | what it is |", "| --- | --- | --- | --- |"]
    required = set(node.get("required", []))
    forms: list[str] = []
    for key, prop in node.get("properties", {}).items():
        shown = type_text(prop, link)
        lines.append(
            f"| `{key}` | {cell(shown)} | {cell(default_text(prop, key in required))} "
            f"| {cell(prop.get('description', ''))} |"
        )
        forms += _forms(key, prop)
    return "\n".join([*lines, *forms, ""])


def _forms(key: str, prop: Schema) -> list[str]:
    """The written forms of a key whose value is one of several described shapes (triggers)."""
    items = prop.get("items", prop)
    choices = alternatives(items)
    if not any("description" in choice for choice in choices):
        return []
    lines = ["", f"`{key}`: {items.get('description', '')}", ""]
    for choice in choices:
        if "pattern" in choice:
            shape = f"text matching `{choice['pattern']}`"
        elif "const" in choice:
            shape = f"`{choice['const']}`"
        else:
            shape = "a mapping with the key " + ", ".join(f"`{k}`" for k in choice["properties"])
        lines.append(f"- {choice.get('description', '').rstrip('.')}: {shape}")
    return lines
