"""The dry-run GitHub port: reads reach GitHub, and no write ever does, however it is named."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.local.dryrun import UNSENT, DryRunGitHub, WriteRefused
from bot.ports.github import READS, CheckRunUpdate, GitHubPort, PullRequest, ReviewComment

REPO = "octo/demo"
PULL = PullRequest(
    number=5, title="T", author="alice", head_sha="a" * 40, head_ref="x", base_ref="main",
    base_sha="b" * 40,
)  # fmt: skip
UPDATE = CheckRunUpdate(
    repo=REPO, name="Baton", head_sha="a" * 40, external_id="run-1", status="queued", title="t",
    summary="s",
)  # fmt: skip

# One call of each write the dry run stands in for.
EXAMPLE_WRITES: dict[str, Callable[[DryRunGitHub], Awaitable[Any]]] = {
    "upsert_comment": lambda gh: gh.upsert_comment(REPO, 5, "<!-- m -->", "hi <!-- m -->"),
    "create_review": lambda gh: gh.create_review(
        REPO, 5, "a" * 40, "body", [ReviewComment(path="a.py", line=3, body="here")]
    ),
    "upsert_check_run": lambda gh: gh.upsert_check_run(UPDATE),
    "add_reaction": lambda gh: gh.add_reaction(REPO, 7, "eyes"),
    "create_issue": lambda gh: gh.create_issue(REPO, "title", "body", ["bug"]),
    "add_sub_issue": lambda gh: gh.add_sub_issue(REPO, 5, 9),
    "commit_files": lambda gh: gh.commit_files(REPO, "b", "a" * 40, {"a.py": "x"}, "msg"),
    "create_pull": lambda gh: gh.create_pull(REPO, "b", "main", "title", "body"),
    "update_pull": lambda gh: gh.update_pull(REPO, 5, "new title", "new body"),
}


class RecordingGitHub:
    """Answers any method, and notes its name: what the dry run let through to GitHub."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return PULL if name == "get_pull" else f"{name} answered"

        return call


def port_methods() -> set[str]:
    return {name for name, _ in inspect.getmembers(GitHubPort) if not name.startswith("_")}


def simulated_writes() -> set[str]:
    members = vars(DryRunGitHub).items()
    return {n for n, m in members if not n.startswith("_") and inspect.iscoroutinefunction(m)}


def test_every_method_of_the_github_port_is_a_read_or_a_simulated_write() -> None:
    assert port_methods() == READS | simulated_writes() | UNSENT
    assert not READS & simulated_writes()
    assert set(EXAMPLE_WRITES) == simulated_writes()


@pytest.mark.parametrize("name", sorted(EXAMPLE_WRITES))
async def test_a_write_is_recorded_and_never_sent(name: str) -> None:
    github = RecordingGitHub()
    dry = DryRunGitHub(typing.cast(GitHubPort, github))

    answer = await EXAMPLE_WRITES[name](dry)

    assert [w.method for w in dry.writes] == [name]
    assert set(github.calls) <= READS
    expected = typing.get_type_hints(getattr(GitHubPort, name))["return"]
    assert answer is None if expected is type(None) else isinstance(answer, expected)


async def test_waiting_for_turns_to_write_sends_nothing() -> None:
    github = RecordingGitHub()
    dry = DryRunGitHub(typing.cast(GitHubPort, github))

    async with dry.writes_coming():
        await dry.upsert_comment(REPO, 5, "<!-- m -->", "hi <!-- m -->")

    assert github.calls == []
    assert [w.method for w in dry.writes] == ["upsert_comment"]


async def test_a_method_nobody_classified_is_refused_and_not_sent() -> None:
    github = RecordingGitHub()  # has every method, as a port grown a new write would
    dry: Any = DryRunGitHub(typing.cast(GitHubPort, github))

    with pytest.raises(WriteRefused, match="delete_repository"):
        await dry.delete_repository(REPO)

    assert github.calls == []
    assert [(w.method, w.args["args"]) for w in dry.writes] == [("delete_repository", [REPO])]


async def test_reads_reach_github() -> None:
    github = RecordingGitHub()
    dry = DryRunGitHub(typing.cast(GitHubPort, github))

    assert await dry.get_pull(REPO, 5) == PULL
    assert await dry.list_pull_files(REPO, 5) == "list_pull_files answered"
    assert github.calls == ["get_pull", "list_pull_files"]
    assert dry.writes == []
