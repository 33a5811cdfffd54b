"""Hypothesis strategies for JSON-like data: values with the edges parsers trip on, and real
documents with a few values replaced, removed or added somewhere inside."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

Json = Any

# Values a parser may trip on beyond the usual: huge and negative numbers, NaN (json.dumps
# writes it, and a stranger may), empty and odd text.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=24)
    | st.sampled_from(["", "0", "-1", "null", "[bot]", "Bot", "\x00", "\u2028", "é" * 3])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=16,
)


@st.composite
def mutated(draw: st.DrawFn, document: Json, changes: int = 3) -> Json:
    """`document` with one to `changes` values replaced, removed or added somewhere inside."""
    copied = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, changes))):
        _mutate_once(draw, copied)
    return copied


def _mutate_once(draw: st.DrawFn, node: Json) -> None:
    while isinstance(node, dict | list) and node:
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            node[key] = draw(json_values)
        elif action == "remove":
            del node[key]
        elif isinstance(node, dict):
            node[draw(st.text(max_size=12))] = draw(json_values)
        else:
            node.append(draw(json_values))
        return
