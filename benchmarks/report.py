"""Appending a benchmark's table to docs/benchmarks.md with the command, machine and date."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine() -> str:
    cores = os.cpu_count() or 0
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{platform.machine()}, {cores} cores{memory}, Python {platform.python_version()}"


def table(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def append(title: str, rows: list[dict[str, object]], notes: str = "") -> str:
    module = f"benchmarks.{Path(sys.argv[0]).stem}"  # run as `python -m benchmarks.<name>`
    args = [".venv/bin/python", "-m", module, *sys.argv[1:]]
    command = " ".join(shlex.quote(part) for part in args)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"\n## {title}\n\n`{command}` · {machine()} · {when}\n\n{table(rows)}\n" + (
        f"\n{notes}\n" if notes else ""
    )
    DOC.parent.mkdir(exist_ok=True)
    if not DOC.exists():
        DOC.write_text("# Benchmarks\n\nEach section was appended by the command it names.\n")
    with DOC.open("a") as out:
        out.write(text)
    return text
