"""The layering DESIGN.md promises, read from the source: who may import what."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Steps get ports; they never reach for the web framework, the GitHub client, DBOS or an SDK.
NOT_IN_HANDLERS = frozenset(
    {"fastapi", "starlette", "githubkit", "githubkit_schemas", "dbos", "openai", "anthropic",
     "uvicorn"}
)  # fmt: skip
GITHUBKIT = frozenset({"githubkit", "githubkit_schemas"})  # the client and its generated models
SDK_HOMES = {"openai": "bot/adapters/openai_llm.py", "anthropic": "bot/adapters/anthropic_llm.py"}


def package_of(relative: str) -> list[str]:
    """The package a file's relative imports start from: `bot/engine/x.py` → [bot, engine]
    (the same for `bot/engine/__init__.py`)."""
    return relative.split("/")[:-1]


def resolve(module: str | None, level: int, package: list[str]) -> str:
    """The absolute name a relative `from ... import` refers to."""
    if level == 0:
        return module or ""
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def dynamic_import(node: ast.Call) -> str | None:
    """The module named by `importlib.import_module("x")` or `__import__("x")`, if constant."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports_in(source: str, relative: str = "x.py") -> Iterator[tuple[int, str]]:
    """(line, module) for every import anywhere in the source: top level, in functions, dynamic."""
    package = package_of(relative)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, resolve(node.module, node.level, package)
        elif isinstance(node, ast.Call) and (name := dynamic_import(node)):
            yield node.lineno, name


def python_files(top: str) -> list[str]:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / top).rglob("*.py"))
    assert files, f"no Python files found under {top}/"
    return files


def violations(top: str, forbidden: frozenset[str], allowed_in: Collection[str] = ()) -> list[str]:
    """`path line N: imports module` for each import under `top` whose root is forbidden."""
    found = []
    for relative in python_files(top):
        if relative in allowed_in:
            continue
        source = (ROOT / relative).read_text(encoding="utf-8")
        for line, module in imports_in(source, relative):
            if module.split(".")[0] in forbidden:
                found.append(f"{relative} line {line}: imports {module}")
    return sorted(set(found))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import fastapi.responses", "fastapi.responses"),
        ("def f():\n    from dbos import DBOS", "dbos"),
        ("class A:\n    def m(self):\n        import openai as o", "openai"),
        ("from handlers import review", "handlers"),
        ("import importlib\nimportlib.import_module('handlers.review')", "handlers.review"),
        ("from importlib import import_module\nimport_module('githubkit')", "githubkit"),
        ("__import__('anthropic')", "anthropic"),
    ],
)
def test_every_form_of_import_is_seen(source: str, expected: str) -> None:
    assert expected in {module for _, module in imports_in(source)}


def test_relative_imports_resolve_inside_their_own_package() -> None:
    source = "from ..ports import github\nfrom . import steps\nfrom .inputs import build_input"

    modules = [module for _, module in imports_in(source, "bot/engine/runner.py")]

    assert modules == ["bot.ports", "bot.engine", "bot.engine.inputs"]


def test_handlers_never_import_the_web_framework_github_client_dbos_or_an_sdk() -> None:
    found = violations("handlers", NOT_IN_HANDLERS)

    assert found == [], "handlers/ must get ports, not clients:\n" + "\n".join(found)


def test_bot_never_imports_handlers() -> None:
    found = violations("bot", frozenset({"handlers"}))

    assert found == [], "bot/ finds steps through the registry, not by name:\n" + "\n".join(found)


def test_only_the_github_adapter_imports_githubkit() -> None:
    adapters = {f for f in python_files("bot") if f.startswith("bot/adapters/github")}

    found = violations("bot", GITHUBKIT, allowed_in=adapters) + violations("handlers", GITHUBKIT)

    assert adapters, "no bot/adapters/github*.py found"
    assert found == [], "only bot/adapters/github*.py may import githubkit:\n" + "\n".join(found)


@pytest.mark.parametrize(("sdk", "home"), sorted(SDK_HOMES.items()))
def test_only_its_own_llm_adapter_imports_an_sdk(sdk: str, home: str) -> None:
    found = violations("bot", frozenset({sdk}), allowed_in={home}) + violations(
        "handlers", frozenset({sdk})
    )

    assert (ROOT / home).is_file(), f"{home} is missing"
    assert found == [], f"only {home} may import {sdk}:\n" + "\n".join(found)
