"""Writing settings into a `.env` file: only the given keys change, the rest stays as it was."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def quoted(value: str) -> str:
    """A double-quoted .env value; newlines stay real, which python-dotenv (and so pydantic
    settings) reads back as one multi-line value, as a PEM key needs."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _closes(text: str, quote: str) -> bool:
    """Whether `text` (after an opening quote) holds the closing one, not escaped."""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif char == quote:
            return True
    return False


def without_keys(lines: list[str], keys: set[str]) -> list[str]:
    """The lines minus the assignments of `keys`, including the continuation lines of a
    quoted value that spans several."""
    kept: list[str] = []
    open_quote = ""  # the quote of a removed value still open on the lines that follow
    for line in lines:
        if open_quote:
            if _closes(line, open_quote):
                open_quote = ""
            continue
        match = _ASSIGNMENT.match(line)
        if match is None or match.group(1) not in keys:
            kept.append(line)
            continue
        value = match.group(2)
        if value[:1] in ("'", '"') and not _closes(value[1:], value[0]):
            open_quote = value[0]
    return kept


def update_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Set `values` in the file at `path` (created if missing), readable by its owner only:
    it holds the App's private key and webhook secret."""
    old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    lines = without_keys(old, set(values))
    lines += [f"{key}={quoted(value)}" for key, value in values.items()]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    os.replace(temporary, path)  # whole or not at all; the new file keeps mode 0600
