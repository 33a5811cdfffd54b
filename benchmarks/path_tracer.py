"""`baton serve` under a profiler (run by `python -m benchmarks.path`): notes which files of bot/
and handlers/ first had a function called on the way of a delivery, and when, in $BATON_TRACE.

A call counts when it runs inside the webhook route, the dispatch workflow or a run's workflow
(one of them is on its stack); module imports and class bodies run at import do not count.
Work handed to other threads (the inbox's commits, `asyncio.to_thread`) is not seen.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from types import FrameType
from typing import Any

ROOT = os.environ["BATON_TRACE_ROOT"].rstrip("/") + "/"
ROOTS = {("route.py", "receive"), ("workflow.py", "dispatch"), ("runner.py", "run_workflow")}
first: dict[str, tuple[float, str]] = {}


def on_path(frame: FrameType | None) -> bool:
    while frame is not None:
        code = frame.f_code
        place = (os.path.basename(code.co_filename), code.co_name)
        if code.co_filename.startswith(ROOT) and place in ROOTS:
            return True
        frame = frame.f_back
    return False


def counted(frame: FrameType) -> bool:
    path, name = frame.f_code.co_filename, frame.f_code.co_name
    if path in first or name == "<module>" or not path.startswith(ROOT):
        return False
    if not path[len(ROOT) :].startswith(("bot/", "handlers/")):
        return False
    if path.endswith(".j2"):  # a template's compiled code: whoever rendered it counts
        return False
    back = frame.f_back  # a class body run by its module's import
    return back is None or back.f_code.co_name != "<module>" or back.f_code.co_filename != path


def profile(frame: FrameType, event: str, arg: Any) -> None:
    if event == "call" and counted(frame) and on_path(frame):
        first[frame.f_code.co_filename] = (time.time(), frame.f_code.co_name)


def dump() -> None:
    seen = {path[len(ROOT) :]: when for path, when in first.items()}
    with open(os.environ["BATON_TRACE"], "w", encoding="utf-8") as out:
        json.dump(seen, out)


if __name__ == "__main__":
    threading.setprofile(profile)
    sys.setprofile(profile)
    atexit.register(dump)
    from bot.cli import main

    sys.argv = ["baton", *sys.argv[1:]]
    main()
