"""Sampling `baton serve` with py-spy while the ack benchmark loads it, and summing the samples.

py-spy comes with the `bench` extra (`pip install -e '.[bench]'`). It samples from outside
the process (`--nonblocking`: without pausing it), so the server runs unmodified; the raw
output is one collapsed stack per line, which `summary` folds into the functions that
took the most samples, alone and with what they called.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

LINE_NUMBER = re.compile(r":\d+\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install -e '.[bench]'")
    return found


# gil: only the thread holding the GIL (where the Python time goes); active: every thread
# that is not idle; wall: every thread, waiting or not (what the requests wait for).
MODES = {"gil": ["--gil"], "active": [], "wall": ["--idle"]}


def start(pid: int, output: Path, seconds: float, mode: str) -> subprocess.Popen[bytes]:
    command = [py_spy(), "record", "--pid", str(pid), "--duration", str(int(seconds) + 1)]
    command += ["--rate", "250", "--format", "raw", "--output", str(output), "--nonblocking"]
    command += ["--threads", *MODES[mode]]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stacks(path: Path) -> Counter[tuple[str, ...]]:
    counted: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counted[tuple(LINE_NUMBER.sub(")", f) for f in stack.split(";"))] += int(count)
    return counted


# What a stack is doing, judged by the first of these frames found on it (in this order).
PARTS = (
    ("GatedConnection.enter", "waiting for SQLite's write gate"),
    ("Inbox._commit", "ack: storing deliveries (inbox thread)"),
    ("_init_workflow", "ack: storing a delivery (DBOS enqueue)"),
    ("receive (bot/receive/route.py)", "ack: webhook handler"),
    ("uvicorn/protocols", "ack: HTTP (uvicorn)"),
    ("starlette/", "ack: routing (FastAPI, Starlette)"),
    ("dispatch (bot/dispatch/workflow.py)", "dispatch workflow"),
    ("queue_worker_thread", "DBOS queue polls and claims"),
    ("_execute_workflow_async", "DBOS workflow bookkeeping"),
    ("dbos/", "DBOS, other"),
    ("EpollSelector.select", "event loop idle"),
)


def part(stack: tuple[str, ...]) -> str:
    joined = ";".join(stack)
    return next((label for pattern, label in PARTS if pattern in joined), stack[-1])


def summary(path: Path, top: int = 25) -> str:
    counted = stacks(path)
    total = sum(counted.values()) or 1
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for stack, count in counted.items():
        own[stack[-1]] += count
        threads[stack[0]] += count
        parts[part(stack)] += count
        for frame in set(stack[1:]):
            inclusive[frame] += count
    lines = [f"{total} samples in {path.name}", "", "by thread:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in threads.most_common(8)]
    lines += ["", "by part:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in parts.most_common(top)]
    lines += ["", "own time (the frame on top):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines += ["", "inclusive time (the frame anywhere on the stack):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
