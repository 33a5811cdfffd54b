"""Prompt files: front matter and a Jinja2 body, rendered in a sandbox, overridable per repo."""

from __future__ import annotations

import asyncio
import hashlib
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.config.model import PROMPT_NAME
from bot.prompts.rendered import PromptUse, RenderedPrompt
from bot.prompts.sandbox import Part, RenderRefused, render_apart

OVERRIDE_DIR = ".github/baton/prompts"
DEFAULT_SOURCE = "default"  # `PromptUse.source` of Baton's own prompts; else the repo path
MAX_CHARS = 1_000_000  # a rendered prompt larger than this is a template gone wrong
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)

FetchOverride = Callable[[str], Awaitable[str | None]]


class PromptError(Exception):
    """A prompt could not be loaded or rendered; the message says which, from where, and why."""


class _FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    id: str
    version: str
    output: str  # the output schema the step validates the answer against, e.g. review.output
    system: str = ""
    description: str = ""


@dataclass(frozen=True)
class PromptFile:
    """One prompt file, parsed; `where` is the path it came from, for messages."""

    use: PromptUse
    output: str
    system: str
    body: str
    body_line: int  # the file's line on which the body starts
    where: str


def parse_prompt(text: str, *, source: str, where: str) -> PromptFile:
    """Split a prompt file into front matter and body; `source` is "default" or a repo path."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        raise PromptError(f"{where}: a prompt starts with front matter between `---` lines")
    try:
        front = _FrontMatter.model_validate(YAML(typ="safe", pure=True).load(found[1]))
    except YAMLError as error:
        raise PromptError(f"{where}: invalid front matter: {error}") from error
    except ValidationError as error:
        wrong = "; ".join(f"`{'.'.join(map(str, e['loc']))}`: {e['msg']}" for e in error.errors())
        raise PromptError(f"{where}: invalid front matter: {wrong}") from error
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    use = PromptUse(id=front.id, version=front.version, sha256=sha256, source=source)
    body_line = text.count("\n", 0, found.end()) + 1
    return PromptFile(use, front.output, front.system, text[found.end() :], body_line, where)


# Prompts fence untrusted text between `=== BEGIN … ===` / `=== END … ===` lines; a line of
# that shape inside the text would close its fence early, so such lines are defused.
_FENCE_LIKE = re.compile(r"^([ \t]*)={3,}", re.MULTILINE)


def as_data(value: Any) -> Any:
    """Variables with every fence-like line in their text defused, recursively."""
    if isinstance(value, str):
        return _FENCE_LIKE.sub(lambda m: m.group(1) + "(=)", value)
    if isinstance(value, dict):
        return {key: as_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    return value


def render_prompt(prompt: PromptFile, variables: dict[str, Any]) -> RenderedPrompt:
    """Render system text and body strictly in the sandbox; pass plain data as variables.

    Baton's own prompts render here. A repository's override is untrusted: it renders in a
    child process with a time and a memory limit (`bot.prompts.sandbox`), so a template that
    loops or allocates without end costs Baton nothing but the limit. This call blocks for
    at most that time; async callers run it in a thread (`PromptLibrary.render`).
    """
    parts = {
        "system": Part(prompt.system, f"{prompt.where} (front matter `system`)", 1),
        "user": Part(prompt.body, prompt.where, prompt.body_line),
    }
    if prompt.use.source == DEFAULT_SOURCE:
        rendered = {
            name: render_part(**vars(part), variables=variables) for name, part in parts.items()
        }
    else:
        try:
            rendered = render_apart(parts, variables)
        except RenderRefused as refused:
            message = str(refused)
            raise PromptError(
                message if message.startswith(prompt.where) else f"{prompt.where}: {message}"
            ) from None
    return RenderedPrompt(use=prompt.use, system=rendered["system"], user=rendered["user"])


class PromptLibrary:
    """Finds prompts: the repository's override (read by `fetch_override`) before the default."""

    def __init__(self, default_dir: Path, fetch_override: FetchOverride | None = None) -> None:
        self._default_dir = default_dir
        self._fetch_override = fetch_override

    async def render(self, name: str, variables: dict[str, Any]) -> RenderedPrompt:
        if not re.match(PROMPT_NAME, name):
            raise PromptError(f"`{name}` is not a prompt name")
        default = self._default(name)
        override = await self._override(name)
        if override and default and override.output != default.output:
            raise PromptError(
                f"{override.where}: declares output `{override.output}`, but prompt `{name}` "
                f"must produce `{default.output}`; an override can change the words, not the output"
            )
        chosen = override or default
        if chosen is None:
            raise PromptError(
                f"no prompt `{name}`: neither {OVERRIDE_DIR}/{name}.md nor the default exists"
            )
        data = as_data(variables)
        if chosen.use.source == DEFAULT_SOURCE:
            return render_prompt(chosen, data)
        return await asyncio.to_thread(render_prompt, chosen, data)

    def _default(self, name: str) -> PromptFile | None:
        path = self._default_dir / f"{name}.md"
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
        return parse_prompt(text, source=DEFAULT_SOURCE, where=str(path))

    async def _override(self, name: str) -> PromptFile | None:
        path = f"{OVERRIDE_DIR}/{name}.md"
        text = await self._fetch_override(path) if self._fetch_override else None
        return None if text is None else parse_prompt(text, source=path, where=path)


class _PromptSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, also refusing `**` and sequence repeats that would exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("`**` is not allowed in prompts")
        sized = [side for side in (left, right) if isinstance(side, str | list | tuple)]
        others = [side for side in (left, right) if isinstance(side, int)]
        if sized and others and len(sized[0]) * others[0] > MAX_CHARS:
            raise SecurityError(f"repeating a value to more than {MAX_CHARS} items is refused")
        return super().call_binop(context, operator, left, right)


def render_part(source: str, where: str, first_line: int, variables: dict[str, Any]) -> str:
    """Render one template in the sandbox; any failure is a PromptError saying where."""
    environment = _PromptSandbox(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    chunks: list[str] = []
    size = 0
    try:
        for chunk in environment.from_string(source).generate(variables):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_CHARS:
                raise SecurityError(f"the prompt renders to more than {MAX_CHARS} characters")
    except Exception as error:  # the template is untrusted: any failure is the prompt's fault
        line = _template_line(error)
        at = f" line {first_line + line - 1}" if line else ""
        detail = str(error) or "the template needs more memory than a prompt may use"
        raise PromptError(f"{where}{at}: {type(error).__name__}: {detail}") from error
    return "".join(chunks)


def _template_line(error: BaseException) -> int | None:
    """The template's line where rendering failed; Jinja rewrites tracebacks to point at it."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    frames = traceback.extract_tb(error.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == "<template>"]
    return lines[-1] if lines else None
