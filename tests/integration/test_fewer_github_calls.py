"""What Baton does to spend fewer of GitHub's requests: a check run it knows is updated
directly, and a file at a commit is read once (the real adapter on the fake GitHub)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.file_cache import file_at
from bot.ports.github import CheckRunUpdate
from bot.store import Store
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.integration.test_github_adapter import FAST, REPO, check


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files={".github/baton.yml": "version: 1\n"})
    fake.add_pull(REPO, number=3, head_files={"app.py": "x = 1\n"}, author="alice")
    with fake.serve():
        yield fake


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubAdapter:
    return GitHubApp(42, keys.app_private_key(), fake.base_url, FAST).for_installation(7)


def sent(fake: FakeGitHub, after: int) -> list[str]:
    return [f"{r.method} {r.path.split('/')[-2]}" for r in fake.requests[after:]]


async def test_a_check_run_whose_id_is_known_is_updated_in_one_request(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    created = await github.upsert_check_run(check(fake))
    before = len(fake.requests)

    done = check(fake, status="completed", conclusion="success", check_run_id=created.id)
    await github.upsert_check_run(done)

    assert sent(fake, before) == ["PATCH check-runs"]
    [stored] = fake.check_runs(REPO)
    assert (stored.id, stored.status) == (created.id, "completed")


async def test_a_known_check_run_github_no_longer_has_is_found_by_its_external_id(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    created = await github.upsert_check_run(check(fake))

    update: CheckRunUpdate = check(fake, status="completed", check_run_id=created.id + 999)
    await github.upsert_check_run(update)

    [stored] = fake.check_runs(REPO)
    assert (stored.id, stored.status) == (created.id, "completed")


async def test_a_file_at_a_commit_is_read_from_github_once(
    fake: FakeGitHub, github: GitHubAdapter, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'baton.sqlite'}")
    store.create_tables()
    main = fake.repos[REPO].branches["main"]

    reads = [await file_at(store, github, REPO, path, main) for path in ("a", "a", "b", "b")]
    config = [await file_at(store, github, REPO, ".github/baton.yml", main) for _ in range(2)]

    contents = [r.path for r in fake.requests if "/contents/" in r.path]
    assert len(contents) == 3  # a, b (absent) and the config: each once
    assert reads == [None] * 4
    assert [c.text if c else None for c in config] == ["version: 1\n"] * 2
    store.close()


async def test_a_file_at_a_branch_name_is_read_every_time(
    fake: FakeGitHub, github: GitHubAdapter, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'baton.sqlite'}")
    store.create_tables()

    for _ in range(2):
        await file_at(store, github, REPO, ".github/baton.yml", "main")

    assert len([r for r in fake.requests if "/contents/" in r.path]) == 2
    store.close()
