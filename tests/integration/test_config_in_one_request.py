"""A repository's config and prompt overrides come with its default branch's commit in one
GraphQL request, kept by that commit so a step's prompt is not asked of GitHub again (the real
adapter on the fake GitHub)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.adapters.github import GitHubAdapter
from bot.ports.github import GitHubError
from bot.prompts.files import OVERRIDE_DIR
from bot.store.database import Store
from bot.store.file_cache import branch_files, file_at
from tests.fakes.github import FakeGitHub, faults
from tests.fakes.github.router import Reply
from tests.fakes.github.state import Seen
from tests.integration.on_fake import FAST

REPO = "octo/configured"
CONFIG = ".github/baton.yml"
REVIEW = f"{OVERRIDE_DIR}/review.md"
FILES = {CONFIG: "version: 1\n", REVIEW: "---\nid: review\n---\nBe kind.\n", "app.py": "x = 1\n"}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files=FILES)
    fake.add_repo("octo/bare", installation_id=7, files={"app.py": "x = 1\n"})
    fake.add_repo("octo/elsewhere", installation_id=8, files=FILES)
    with fake.serve():
        yield fake


def asked(fake: FakeGitHub, after: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests[after:] if "access_tokens" not in r.path]


async def test_the_config_and_prompts_come_with_the_branch_head_in_one_request(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    head = fake.commit(REPO, "main", {CONFIG: "version: 1\nllm: {model: m2}\n"})
    before = len(fake.requests)
    read = await github.get_branch_files(REPO, "main", [CONFIG], [OVERRIDE_DIR])
    assert read.sha == head
    assert read.files[CONFIG].text == "version: 1\nllm: {model: m2}\n"
    assert read.files[REVIEW].text == FILES[REVIEW]
    assert asked(fake, before) == ["POST /graphql"]


async def test_a_repository_without_config_or_prompts_gets_its_head_and_no_files(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    read = await github.get_branch_files("octo/bare", "main", [CONFIG], [OVERRIDE_DIR])
    assert read.sha == fake.repos["octo/bare"].branches["main"]
    assert read.files == {}


async def test_prompts_read_with_the_config_are_not_asked_of_github_again(
    fake: FakeGitHub, github: GitHubAdapter, store: Store
) -> None:
    read = await branch_files(store, github, REPO, "main", [CONFIG], [OVERRIDE_DIR])
    before = len(fake.requests)
    review = await file_at(store, github, REPO, REVIEW, read.sha)
    other = await file_at(store, github, REPO, f"{OVERRIDE_DIR}/draft-plan.md", read.sha)
    config = await file_at(store, github, REPO, CONFIG, read.sha)
    assert review is not None and review.text == FILES[REVIEW]
    assert other is None  # not in the directory read at that commit
    assert config is not None and config.text == FILES[CONFIG]
    assert asked(fake, before) == []


async def test_a_missing_config_is_remembered_at_its_commit(
    fake: FakeGitHub, github: GitHubAdapter, store: Store
) -> None:
    read = await branch_files(store, github, "octo/bare", "main", [CONFIG], [OVERRIDE_DIR])
    before = len(fake.requests)
    assert await file_at(store, github, "octo/bare", CONFIG, read.sha) is None
    assert await file_at(store, github, "octo/bare", REVIEW, read.sha) is None
    assert asked(fake, before) == []


async def test_a_file_too_large_for_graphql_is_read_whole_at_the_same_commit(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    big = "# padding\n" * 60_000  # 600 KB: GraphQL cuts text at 512,000 bytes
    head = fake.commit(REPO, "main", {CONFIG: f"version: 1\n{big}"})
    before = len(fake.requests)
    read = await github.get_branch_files(REPO, "main", [CONFIG], [OVERRIDE_DIR])
    assert read.files[CONFIG].text == f"version: 1\n{big}"
    rest = [r for r in fake.requests[before:] if "/contents/" in r.path]
    assert [r.query.get("ref") for r in rest] == [head]


async def test_a_missing_branch_or_a_repository_of_another_installation_is_not_found(
    github: GitHubAdapter,
) -> None:
    for repo, branch in [(REPO, "nope"), ("octo/elsewhere", "main"), ("octo/absent", "main")]:
        with pytest.raises(GitHubError) as raised:
            await github.get_branch_files(repo, branch, [CONFIG], [OVERRIDE_DIR])
        assert raised.value.status == 404 and raised.value.permanent


async def test_a_server_error_on_the_query_is_retried(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.before_hooks.append(faults.fail("POST", "/graphql", 502))
    read = await github.get_branch_files(REPO, "main", [CONFIG], [OVERRIDE_DIR])
    assert CONFIG in read.files
    assert [r.status for r in fake.requests if r.path == "/graphql"] == [502, 200]


async def test_graphqls_rate_limit_is_a_rate_limited_error_with_its_wait(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    def limited(seen: Seen) -> Reply | None:
        if seen.path != "/graphql":
            return None
        body = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
        return Reply(200, body, {"retry-after": "120"})

    fake.before_hooks.append(limited)
    with pytest.raises(GitHubError) as raised:
        await github.get_branch_files(REPO, "main", [CONFIG], [OVERRIDE_DIR])
    assert raised.value.rate_limited and raised.value.retry_after == 120


async def test_a_personal_token_reads_the_config_too(fake: FakeGitHub) -> None:
    github = GitHubAdapter.with_token(fake.add_user_token("carol"), fake.base_url, FAST)
    read = await github.get_branch_files(REPO, "main", [CONFIG], [OVERRIDE_DIR])
    assert read.files[CONFIG].text == FILES[CONFIG]
