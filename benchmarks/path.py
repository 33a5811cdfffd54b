"""The way one pull request travels through Baton's code: which files of bot/ and handlers/ a
`pull_request.opened` touches, in order, from the webhook route to the posted review.

Runs `baton serve` under a profiler (benchmarks/path_tracer.py) against the fake GitHub and the
scripted model, sends one delivery once Baton is idle, and lists each file with the function
that first ran in it while the route, the dispatch or the run handled that delivery.
Usage: python -m benchmarks.path
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from tests.baton_process import BatonProcess
from tests.e2e.conftest import INSTALLATION, REPO, SECRET, pr_event, running_world

ROOT = Path(__file__).resolve().parent.parent


class TracedBaton(BatonProcess):
    def command(self) -> list[str]:
        tracer = str(ROOT / "benchmarks" / "path_tracer.py")
        return [sys.executable, tracer, "serve", "--port", str(self.port)]


def traced_review(workdir: Path) -> tuple[dict[str, tuple[float, str]], float]:
    """The trace of one first review, and when its delivery was sent."""
    trace = workdir / "trace.json"
    env = {"BATON_TRACE": str(trace), "BATON_TRACE_ROOT": str(ROOT), "PYTHONPATH": str(ROOT)}
    with running_world(workdir, BATON_DEBOUNCE_SECONDS="0") as world:
        world.baton.stop()
        traced = TracedBaton({**world.baton.env, **env}, workdir, workdir / "traced.log")
        traced.start(timeout=60)
        finding = {"path": "app.py", "line": 1, "severity": "minor", "title": "t", "body": "b"}
        world.llm.respond_with(lambda request: {"summary": "ok", "findings": [finding]})
        world.github.add_repo(REPO, installation_id=INSTALLATION, files={"app.py": "x = 1\n"})
        head = world.github.add_pull(REPO, number=5, head_files={"app.py": "x = 2\n"})
        time.sleep(1.0)  # idle: what start-up calls is behind us
        sent = time.time()
        traced.send("pull_request", pr_event("opened", 5, head), SECRET, "path-1")
        world.wait_for(lambda: world.github.reviews(REPO, 5), what="the posted review")
        assert traced.proc is not None
        traced.proc.send_signal(signal.SIGINT)
        traced.proc.wait(30)
    return json.loads(trace.read_text()), sent


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as folder:
        trace, sent = traced_review(Path(folder))
    path = sorted((when, name, file) for file, (when, name) in trace.items() if when >= sent)
    for when, name, file in path:
        print(f"{when - sent:7.3f} s  {file}  ({name})")
    print(f"{len(path)} files")


if __name__ == "__main__":
    main()
