"""What `pip install baton` and the image get: every data file, one version, the same packages."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from ruamel.yaml import YAML

import bot
from bot.settings import DEFAULT_PROMPTS_DIR, Settings
from bot.web.manifest import APP_YML

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
PACKAGES = [pattern.rstrip("*") for pattern in SETUPTOOLS["packages"]["find"]["include"]]


def shipped(package: str) -> set[Path]:
    """The non-Python files the wheel takes from `package`, by pyproject's package-data."""
    base = ROOT / package
    patterns = SETUPTOOLS["package-data"].get(package, [])
    return {path for pattern in patterns for path in base.glob(pattern) if path.is_file()}


def test_every_data_file_in_the_packages_is_shipped_in_the_wheel() -> None:
    for package in PACKAGES:
        data = {
            path
            for path in (ROOT / package).rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc", ".typed")
        }
        missing = sorted(str(path.relative_to(ROOT)) for path in data - shipped(package))
        assert missing == [], f"add these to [tool.setuptools.package-data]: {missing}"


def test_the_default_prompts_and_the_app_manifest_are_found_inside_the_installed_package() -> None:
    package = Path(bot.__file__).resolve().parent
    assert Settings.model_fields["baton_prompts_dir"].default == DEFAULT_PROMPTS_DIR
    assert DEFAULT_PROMPTS_DIR.parent.parent == package and APP_YML.parent.parent == package
    assert {path.stem for path in DEFAULT_PROMPTS_DIR.glob("*.md")} >= {"review", "breakdown"}
    assert APP_YML.is_file()


def test_the_version_is_written_once_and_read_by_the_package_metadata() -> None:
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert SETUPTOOLS["dynamic"]["version"] == {"attr": "bot.__version__"}
    assert importlib.metadata.version("baton") == bot.__version__


def test_the_changelog_has_a_section_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{bot.__version__}] - " in changelog


def test_the_image_is_built_from_every_package_the_wheel_contains() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    allowed = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for package in PACKAGES:
        assert f"COPY {package} {package}\n" in dockerfile, package
        assert f"!{package}/" in allowed, package
    assert f"!{PYPROJECT['project']['readme']}" in allowed


def test_compose_runs_web_and_two_workers_with_their_own_ids_on_one_database() -> None:
    compose = YAML(typ="safe").load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    baton = {name: s for name, s in services.items() if name != "db"}
    assert sorted(s["command"][0] for s in baton.values()) == ["serve", "worker", "worker"]
    ids = [s["environment"]["BATON_EXECUTOR_ID"] for s in baton.values()]
    assert len(set(ids)) == len(ids) == 3
    urls = {s["environment"]["DATABASE_URL"] for s in baton.values()}
    assert len(urls) == 1 and urls.pop().startswith("postgresql://")
    assert all(s["depends_on"]["db"]["condition"] == "service_healthy" for s in baton.values())
    assert "healthcheck" in services["db"]
