"""Rendering a repository's prompt in a separate process, with a time and a memory limit.

Jinja2's sandbox stops a template from reaching Python's internals, but not from looping for
minutes or building a string of gigabytes: filters, `%` and format widths allocate before
anything can count the output. A prompt override comes from the repository, so it is
untrusted; it renders in a child process (`python -m bot.prompts.sandbox`) that

- caps its own address space (RLIMIT_AS), so a memory bomb ends in a MemoryError there;
- is killed when a render takes longer than the time limit, and started again for the next;
- speaks JSON both ways, so nothing a template might do in the child can run in Baton;
- gets none of Baton's environment (the App's key, the webhook secret, LLM keys, the admin
  token) beyond the few variables Python needs to start, in case a template ever escapes.

One child per Baton process serves renders one at a time (a render takes milliseconds).
"""

from __future__ import annotations

import json
import os
import resource
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

DEFAULT_SECONDS = 2.0
DEFAULT_MEGABYTES = 256
_HEADER = struct.Struct(">I")  # each message: its length, then that much JSON

# What the child may inherit: where programs and libraries are, the locale, and where Python
# and its packages are when the operator moved them. A venv needs none of these (the child is
# its python, which finds the venv's packages beside itself); nor does `pip install --user`
# (site finds the home folder without HOME). Everything else, the secrets first, stays out.
INHERITED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "LD_LIBRARY_PATH",
             "PYTHONHOME", "PYTHONPATH", "PYTHONUSERBASE")  # fmt: skip


class RenderRefused(Exception):
    """The child gave up on the template: it failed, ran too long or used too much memory."""


@dataclass(frozen=True)
class Limits:
    seconds: float = DEFAULT_SECONDS
    megabytes: int = DEFAULT_MEGABYTES


_limits = Limits()


def configure(limits: Limits) -> None:
    """Set the limits for this process (from settings, at start-up)."""
    global _limits
    _limits = limits
    _server.stop()  # the next render starts a child with the new memory limit


def child_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """The render child's whole environment, from the parent's (os.environ)."""
    kept = {name: parent[name] for name in INHERITED if name in parent}
    return kept | {"PYTHONSAFEPATH": "1"}  # the working folder is not on the child's path


def _send(stream: IO[bytes], message: Any) -> None:
    data = json.dumps(message).encode()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return json.loads(stream.read(size))


class _Server:
    """The parent's handle on the child; one render at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    def _started(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            budget = str(_limits.megabytes * 2**20)
            self._child = subprocess.Popen(
                [sys.executable, "-m", "bot.prompts.sandbox", budget],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=child_environment(os.environ),
            )
        return self._child

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def render(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            child = self._started()
            assert child.stdin is not None and child.stdout is not None
            try:
                _send(child.stdin, request)
                ready, _, _ = select.select([child.stdout], [], [], _limits.seconds)
                if not ready:
                    self._stop()
                    raise RenderRefused(
                        f"rendering took longer than {_limits.seconds:g} s and was stopped"
                    )
                answer: dict[str, Any] = _receive(child.stdout)
            except (BrokenPipeError, EOFError):
                self._stop()
                raise RenderRefused(
                    f"rendering was stopped: it needed more than {_limits.megabytes} MB"
                ) from None
        if "error" in answer:
            raise RenderRefused(str(answer["error"]))
        return answer


_server = _Server()


def stop() -> None:
    """Stop the render process (at shutdown); the next render starts another."""
    _server.stop()


def render_process_id() -> int | None:
    """The render child's pid while it runs (for operators and tests)."""
    child = _server._child
    return None if child is None or child.poll() is not None else child.pid


@dataclass(frozen=True)
class Part:
    """One template to render: its source, and where it came from, for messages."""

    source: str
    where: str
    first_line: int


def render_apart(parts: dict[str, Part], variables: dict[str, Any]) -> dict[str, str]:
    """Render each named part with `variables` in the child; raises RenderRefused with the
    template's own error (as `bot.prompts.files` words it) or the limit it hit."""
    templates = {name: vars(part) for name, part in parts.items()}
    answer = _server.render({"templates": templates, "variables": variables})
    return {name: str(text) for name, text in answer["rendered"].items()}


def _serve(budget_bytes: int) -> None:
    """The child: lower its address-space limit, then render requests until stdin closes."""
    from bot.prompts.files import PromptError, render_part  # imported before the limit applies

    used = _address_space_in_use()
    limit = used + budget_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            request = _receive(stdin)
        except EOFError:
            return
        try:
            rendered = {
                name: render_part(**part, variables=request["variables"])
                for name, part in request["templates"].items()
            }
            _send(stdout, {"rendered": rendered})
        except PromptError as error:
            _send(stdout, {"error": str(error)})
        except MemoryError:
            _send(stdout, {"error": f"rendering needed more than {budget_bytes // 2**20} MB"})


def _address_space_in_use() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
