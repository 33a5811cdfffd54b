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
    source = "from ..ports import github\nfrom . import steps\nfrom .registry import build_input"

    modules = [module for _, module in imports_in(source, "bot/engine/runner.py")]

    assert modules == ["bot.ports", "bot.engine", "bot.engine.registry"]


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


# The way an event travels, top to bottom: a package imports only packages below it. The
# commands and the web process sit above bootstrap, which wires everything below; settings
# imports nothing of Baton's, so anyone may import it.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__main__"}),
    frozenset({"cli"}),
    frozenset({"web", "worker", "local", "reference"}),
    frozenset({"bootstrap"}),
    frozenset({"receive"}),
    frozenset({"schedules"}),
    frozenset({"api"}),
    frozenset({"dispatch"}),
    frozenset({"runs"}),
    frozenset({"engine"}),
    frozenset({"prompts"}),
    frozenset({"config"}),
    frozenset({"adapters"}),
    frozenset({"ops"}),
    frozenset({"store"}),
    frozenset({"ports"}),
    frozenset({"settings"}),
)
LEAVES = frozenset({"bot", "settings"})  # bot/__init__.py (the version) and the settings object


def layer_of(unit: str) -> int:
    found = [index for index, units in enumerate(LAYERS) if unit in units]
    assert found, f"bot/{unit} is in no layer of tests/unit/test_architecture.py: place it"
    return found[0]


def unit_of(relative: str) -> str:
    """The package (or top-level module) of bot/ a file belongs to."""
    parts = Path(relative).with_suffix("").parts
    return parts[1] if len(parts) > 1 else "bot"


def upward_imports(files: list[str]) -> list[str]:
    found = []
    for relative in files:
        unit = unit_of(relative)
        if unit == "bot":
            continue
        source = (ROOT / relative).read_text(encoding="utf-8")
        for line, module in imports_in(source, relative):
            parts = module.split(".")
            if parts[0] != "bot" or len(parts) < 2 or parts[1] == unit or parts[1] in LEAVES:
                continue
            if layer_of(parts[1]) <= layer_of(unit):
                found.append(f"{relative} line {line}: imports {module} (a layer above)")
    return sorted(set(found))


def test_imports_run_one_way_along_the_way_an_event_travels() -> None:
    found = upward_imports(python_files("bot"))

    assert found == [], "bot/ imports downward only (see LAYERS):\n" + "\n".join(found)


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    assert upward_imports(["bot/store/database.py"]) == []
    assert layer_of("engine") < layer_of("store")
    assert layer_of("receive") < layer_of("dispatch") < layer_of("engine") < layer_of("ports")


def test_bot_keeps_few_modules_at_its_top_and_every_package_says_its_job() -> None:
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    packages = [p for p in (ROOT / "bot").iterdir() if (p / "__init__.py").is_file()]
    undocumented = [
        p.name
        for p in packages
        if not ast.get_docstring(ast.parse((p / "__init__.py").read_text()))
    ]

    assert top == ["__init__.py", "__main__.py", "bootstrap.py", "settings.py", "worker.py"]
    assert undocumented == []
