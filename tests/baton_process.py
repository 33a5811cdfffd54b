"""`baton serve` as a real process on loopback, and signed deliveries sent to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bot.engine.signature import sign
from tests.fakes.serve import free_port

ROOT = Path(__file__).resolve().parent.parent


class BatonProcess:
    def __init__(self, env: dict[str, str], workdir: Path, log: Path) -> None:
        self.env = {**os.environ, **env}
        self.workdir = workdir
        self.log_path = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    name = "baton serve"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bot", "serve", "--port", str(self.port)]

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, timeout: float = 30) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.command(), cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )

    def wait_ready(self, timeout: float = 30) -> None:
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            if self.ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as when a machine dies."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def send(
        self, event: str, payload: dict[str, Any], secret: str, delivery: str | None = None
    ) -> httpx.Response:
        body = json.dumps(payload).encode()
        return post_webhook(self.url, event, body, secret, delivery or str(uuid.uuid4()))


class WorkerProcess(BatonProcess):
    """`baton worker` as a real process: no port; ready once it says it is taking work."""

    name = "baton worker"

    def __init__(self, env: dict[str, str], workdir: Path, log: Path, executor_id: str) -> None:
        super().__init__(env, workdir, log)
        self.executor_id = executor_id
        self.name = f"baton worker {executor_id}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bot", "worker", "--executor-id", self.executor_id]

    def ready(self) -> bool:
        said = f"baton worker {self.executor_id}: taking work"
        return self.log_path.exists() and said in self.log_path.read_text(errors="replace")


def post_webhook(
    url: str,
    event: str,
    body: bytes,
    secret: str,
    delivery: str,
    client: httpx.Client | None = None,
    **headers: str,
) -> httpx.Response:
    sent = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(secret, body),
        "Content-Type": "application/json",
        **headers,
    }
    if client is not None:  # kept open: a new client costs ~20 ms (its TLS context)
        return client.post(f"{url}/webhooks", content=body, headers=sent, timeout=10)
    return httpx.post(f"{url}/webhooks", content=body, headers=sent, timeout=10)
