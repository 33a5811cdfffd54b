"""The three servers the ack benchmark compares, each a real process on loopback.

Baton is `baton serve` on SQLite with the fake GitHub and the scripted LLM (the e2e world), so
every delivery is stored and dispatched; Probot is its own server with do-nothing handlers,
installed from npm into a temporary folder; the bare app is benchmarks/bare_app.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from dbos import DBOSClient

from tests.baton_process import ROOT, BatonProcess
from tests.e2e.conftest import INSTALLATION, REPO, SECRET, running_world
from tests.fakes import keys

PROBOT_VERSION = "14"  # the major version measured; npm picks its newest release


@dataclass
class Contender:
    name: str
    url: str
    path: str
    pid: int
    database_url: str = ""  # Baton's: where the benchmark waits for dispatch to catch up
    drains: list[float] = field(default_factory=list)


class BareProcess(BatonProcess):
    name = "bare ASGI app"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "benchmarks.bare_app", "--port", str(self.port)]


class ProbotProcess(BatonProcess):
    name = "probot"

    def __init__(self, folder: Path, log: Path) -> None:
        super().__init__({}, folder, log)
        self.env.update(
            APP_ID="7",
            PRIVATE_KEY=keys.app_private_key(),
            WEBHOOK_SECRET=SECRET,
            HOST="127.0.0.1",
            PORT=str(self.port),
            LOG_LEVEL="warn",  # as Baton's BATON_LOG_LEVEL=WARNING: no line per request
            NODE_ENV="production",
        )

    def command(self) -> list[str]:
        return ["node", "app.mjs"]

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/ping", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


def install_probot(folder: Path) -> str:
    """`npm install probot` into `folder`; returns the installed version."""
    if shutil.which("npm") is None:
        raise SystemExit("the ack benchmark needs node and npm on PATH to install Probot")
    (folder / "package.json").write_text('{"private": true, "type": "module"}\n')
    shutil.copy(ROOT / "benchmarks" / "probot_app.mjs", folder / "app.mjs")
    subprocess.run(
        ["npm", "install", f"probot@{PROBOT_VERSION}", "--no-audit", "--no-fund", "--silent"],
        cwd=folder,
        check=True,
    )
    installed = (folder / "node_modules" / "probot" / "package.json").read_text()
    return str(json.loads(installed)["version"])


@contextmanager
def started(process: BatonProcess) -> Iterator[BatonProcess]:
    process.start()
    try:
        yield process
    finally:
        process.stop()


SERVERS = ("baton", "probot", "bare")


@contextmanager
def contenders(
    folder: Path, baton_env: dict[str, str], servers: tuple[str, ...] = SERVERS
) -> Iterator[list[Contender]]:
    """The chosen servers running at once; each is idle while another is measured."""
    running = []
    with ExitStack() as stack:
        if "baton" in servers:
            (folder / "baton").mkdir()
            world = stack.enter_context(running_world(folder / "baton", **baton_env))
            world.github.add_repo(REPO, installation_id=INSTALLATION)
            baton = world.baton
            assert baton.proc is not None
            url = baton.env["DATABASE_URL"]
            running.append(Contender("baton", baton.url, "/webhooks", baton.proc.pid, url))
        if "probot" in servers:
            (folder / "probot").mkdir()
            version = install_probot(folder / "probot")
            probot = ProbotProcess(folder / "probot", folder / "probot.log")
            stack.enter_context(started(probot))
            assert probot.proc is not None
            name = f"probot {version}"
            running.append(Contender(name, probot.url, "/api/github/webhooks", probot.proc.pid))
        if "bare" in servers:
            bare = stack.enter_context(started(BareProcess({}, ROOT, folder / "bare.log")))
            assert bare.proc is not None
            running.append(Contender("bare", bare.url, "/webhooks", bare.proc.pid))
        yield running


def wait_for_dispatch(contender: Contender, timeout: float = 900) -> float:
    """Seconds until Baton has dispatched every stored delivery (0 for the others)."""
    if not contender.database_url:
        return 0.0
    client = DBOSClient(system_database_url=contender.database_url)
    started_at = time.monotonic()
    try:
        while time.monotonic() - started_at < timeout:
            waiting = client.list_workflows(
                name="baton.dispatch",
                status=["ENQUEUED", "PENDING"],
                limit=1,
                load_input=False,
                load_output=False,
            )
            if not waiting:
                break
            time.sleep(0.25)
    finally:
        client.destroy()
    return time.monotonic() - started_at
