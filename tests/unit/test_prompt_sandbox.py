"""A repository's prompt is untrusted: each known way out of Jinja2's sandbox, or of exhausting CPU
or memory, is refused with a PromptError or rendered harmlessly — quickly and in little memory.

Each attempt calls `render_prompt` in a child process (killed if it hangs) that measures the
call's time and its own peak traced memory, so a bomb that gets through fails the test instead of
stalling the suite. The override itself renders in Baton's render process (bot/prompts/sandbox.py),
whose time and address-space limits are what stop a bomb; the caller never builds its output.
"""

from __future__ import annotations

import multiprocessing
import re
import resource
import time
import tracemalloc
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

import pytest

from bot.prompts import sandbox as prompt_sandbox
from bot.prompts.files import OVERRIDE_DIR, PromptError, parse_prompt, render_prompt

OVERRIDE = f"{OVERRIDE_DIR}/review.md"
SECONDS = prompt_sandbox.DEFAULT_SECONDS + 1.0  # the render limit, and a margin for a busy machine
MEMORY = 32 * 2**20  # peak traced bytes; the output alone may reach MAX_CHARS (~1M characters)
KILL_AFTER = 15.0  # seconds before a child still rendering is killed (starting included)
ADDRESS_SPACE = 2 * 2**30  # the child's hard limit, a safety net for the machine running tests

VARIABLES: dict[str, Any] = {
    "repo": "octo/app",
    "pr": {"number": 12, "title": "Add login", "body": "Adds a login form.", "author": "mona"},
    "chunk": {"index": 1, "count": 1},
    "instructions": [],
    "files": [{"path": "src/login.py", "patch": "@@ -1 +1 @@\n-a\n+b", "instructions": []}],
}

# forkserver: each attempt forks from a server that has already imported the prompt module.
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["bot.prompts.files"])


@dataclass(frozen=True)
class Attempt:
    outcome: Literal["refused", "rendered", "crashed", "still running"]
    text: str  # the PromptError's message, or the rendered body
    seconds: float
    peak_bytes: int


def prompt_file(body: str) -> str:
    return f"---\nid: attack\nversion: 1\noutput: review.output\n---\n{body}\n"


def _render_in_child(source: str, conn: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    prompt = parse_prompt(source, source=OVERRIDE, where=OVERRIDE)
    warm = parse_prompt(prompt_file("warm"), source=OVERRIDE, where=OVERRIDE)
    render_prompt(warm, VARIABLES)  # the render process is started, as in a running Baton
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome, text = "rendered", render_prompt(prompt, VARIABLES).user
    except PromptError as error:
        outcome, text = "refused", str(error)
    except BaseException as error:  # anything but a PromptError is a bug of its own
        outcome, text = "crashed", repr(error)
    seconds = time.monotonic() - started
    conn.send((outcome, text[:2000], seconds, tracemalloc.get_traced_memory()[1]))


def attempt(body: str) -> Attempt:
    receiving, sending = CONTEXT.Pipe(duplex=False)
    child = CONTEXT.Process(target=_render_in_child, args=(prompt_file(body), sending))
    child.start()
    sending.close()
    try:
        if receiving.poll(KILL_AFTER):
            return Attempt(*receiving.recv())
        return Attempt("still running", "", KILL_AFTER, 0)
    finally:
        child.kill()
        child.join()


def case(name: str, body: str, expected: str) -> Any:
    """One row: `expected` is a pattern of the refusal, or the harmless rendering."""
    return pytest.param(body, expected, id=name)


def bomb(name: str, body: str) -> Any:
    """A template that would loop for minutes or allocate gigabytes if nothing stopped it."""
    return pytest.param(body, id=name)


REFUSED = [
    # Attribute access to dunders, the first step of every Python SSTI payload.
    case("str-class", "{{ ''.__class__ }}", "SecurityError: access to attribute '__class__'"),
    case("subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "SecurityError"),
    case("dict-base", "{{ pr.__class__.__base__ }}", "SecurityError"),
    case("item-dunder", "{{ pr['__class__'] }}", "SecurityError"),
    case("method-dunder", "{{ pr.title.__len__() }}", "SecurityError"),
    case("attr-filter", "{{ pr|attr('__class__') }}", "SecurityError"),
    case("attr-escaped", "{{ pr|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", "SecurityError"),
    # `self` and the default globals.
    case("self-init", "{{ self.__init__ }}", "SecurityError"),
    case("self-context", "{{ self._TemplateReference__context.cycler }}", "SecurityError"),
    case("lipsum-globals", "{{ lipsum.__globals__['os'].popen('id').read() }}", "SecurityError"),
    case(
        "cycler-popen", "{{ cycler.__init__.__globals__.os.popen('id').read() }}", "SecurityError"
    ),
    case("joiner-globals", "{{ joiner.__init__.__globals__ }}", "SecurityError"),
    case("namespace-globals", "{{ namespace.__init__.__globals__ }}", "SecurityError"),
    case("range-self", "{{ range.__self__ }}", "UndefinedError"),
    case("flask-config", "{{ config.items() }}", "UndefinedError: 'config' is undefined"),
    case("flask-request", "{{ request.application }}", "UndefinedError: 'request' is undefined"),
    # Format-string tricks reach attributes without a dot in the template.
    case("format-dunder", "{{ '{0.__class__}'.format(pr) }}", "SecurityError"),
    case("format-globals", "{{ '{0.__init__.__globals__}'.format(cycler) }}", "SecurityError"),
    case("format-bound", "{% set f = '{0.__class__}'.format %}{{ f(pr) }}", "SecurityError"),
    case("format-map", "{{ '{x.__class__}'.format_map({'x': pr}) }}", "SecurityError"),
    # Changing the data the step passed in.
    case("list-append", "{{ files.append(1) }}", "SecurityError"),
    case("dict-update", "{{ pr.update(title='approved') }}", "SecurityError"),
    # Reading other files.
    case("include", "{% include '/etc/passwd' %}", "TypeError: no loader"),
    case("import", "{% import 'os' as os %}", "TypeError: no loader"),
    case("extends", "{% extends 'base.html' %}", "TypeError: no loader"),
    # CPU and memory bombs the sandbox stops.
    case("power", "{{ 9 ** 9 ** 9 }}", "SecurityError: `\\*\\*` is not allowed"),
    case("range-power", "{{ range(10**9)|list }}", "SecurityError: `\\*\\*` is not allowed"),
    case("range-huge", "{{ range(1000000000)|list }}", "OverflowError: Range too big"),
    case("repeat-str", "{{ 'x' * 100000000 }}", "SecurityError: repeating a value"),
    case("repeat-list", "{{ [0] * 100000000 }}", "SecurityError: repeating a value"),
    case(
        "output-flood",
        "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
        "renders to more than 1000000 characters",
    ),
    case("recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
]

# Bombs: each is refused, or renders, quickly and in little memory.
BOMBS = [
    bomb(
        "nested-loops",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    ),
    bomb("lipsum-flood", "{{ lipsum(100000) }}"),
    bomb("wordwrap", "{{ ('ab' * 500000)|wordwrap(1) }}"),
    bomb("center", "{{ 'x'|center(100000000) }}"),
    bomb("ljust", "{{ 'x'.ljust(100000000) }}"),
    bomb("percent-width", "{{ '%0100000000d' % 0 }}"),
    bomb("format-width", "{{ '{:>100000000}'.format('x') }}"),
    bomb("replace-square", "{{ ('x' * 10000)|replace('x', 'x' * 10000) }}"),
    bomb("indent-width", "{{ 'x'|indent(100000000) }}"),
]

HARMLESS = [
    case("self", "{{ self }}", "<TemplateReference None>"),
    case("namespace", "{% set ns = namespace(n=1) %}{% set ns.n = 2 %}{{ ns.n }}", "2"),
    case(
        "cycler", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}", "aba"
    ),
    case("joiner", "{% set j = joiner('+') %}{{ j() }}a{{ j() }}b", "a+b"),
    case("lipsum", "{{ lipsum(2)|length > 0 }}", "True"),
    case("format", "{{ '{0} by {1}'.format(pr.title, pr.author) }}", "Add login by mona"),
    case("format-item", "{{ '{0[title]}'.format(pr) }}", "Add login"),
    case("format-filter", "{{ '%s #%d'|format(pr.title, pr.number) }}", "Add login #12"),
    case("percent", "{{ '%s!' % pr.author }}", "mona!"),
    case("items", "{{ pr.items()|list|length }}", "4"),
    case("range", "{{ range(3)|list }}", "[0, 1, 2]"),
    # The sandbox answers an unsafe attribute with an Undefined, and a list prints its repr.
    case("map-attr", "{{ files|map(attribute='__class__')|list }}", "[Undefined]"),
    case("indent", "{{ 'a\nb'|indent(2) }}", "a\n  b"),
]


@pytest.mark.parametrize(("body", "message"), REFUSED)
def test_escape_attempt_is_refused_quickly_in_little_memory(body: str, message: str) -> None:
    result = attempt(body)

    assert result.outcome == "refused", result
    assert result.text.startswith(f"{OVERRIDE}"), result.text
    assert re.search(message, result.text), result.text
    assert result.seconds < SECONDS, result
    assert result.peak_bytes < MEMORY, result


@pytest.mark.parametrize("body", BOMBS)
def test_cpu_or_memory_bomb_is_stopped_quickly_in_little_memory(body: str) -> None:
    result = attempt(body)

    assert result.outcome in ("refused", "rendered"), result
    assert result.seconds < SECONDS, result
    assert result.peak_bytes < MEMORY, result


@pytest.mark.parametrize(("body", "output"), HARMLESS)
def test_harmless_use_of_the_globals_renders_quickly(body: str, output: str) -> None:
    result = attempt(body)

    assert (result.outcome, result.text) == ("rendered", output), result
    assert result.seconds < SECONDS, result
    assert result.peak_bytes < MEMORY, result
