"""Counting what GitHub holds after a crashed run, and judging it against what it must leave."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.crash.constants import MARKER
from tests.crash.kill_points import KillPoint
from tests.crash.scenarios import Scenario
from tests.e2e.test_draft_e2e import WRITTEN
from tests.fakes.github import FakeGitHub


def census(github: FakeGitHub, repo: str, scenario: Scenario, command: int) -> Counter[str]:
    """How many of each thing Baton made GitHub hold, keyed by what makes it one thing."""
    counts: Counter[str] = Counter()
    bot = github.bot_login
    for run in github.check_runs(repo):
        counts[f"check run {run.name} {run.external_id}"] += 1
    threads = [i.number for i in github.issues(repo)] + [p.number for p in github.pulls(repo)]
    for comment in (c for n in threads for c in github.comments(repo, n) if c.author == bot):
        counts[f"comment {first_marker(comment.body)}"] += 1
    for reaction in github.reactions(repo, command):
        counts[f"reaction {reaction.content} by {reaction.author} on the command"] += 1
    for review in (r for p in github.pulls(repo) for r in github.reviews(repo, p.number)):
        counts[f"review {first_marker(review.body)}"] += 1
    for issue in (i for i in github.issues(repo) if i.author == bot):
        counts[f"issue {first_marker(issue.body)}"] += 1
    for pull in (p for p in github.pulls(repo) if p.author == bot):
        counts[f"pull from {pull.head_ref}"] += 1
    for link in github.issue(repo, scenario.number).sub_issues:
        counts[f"sub-issue link to {github.issue(repo, link).title!r}"] += 1
    counts.update(branch_census(github, repo))
    return counts


def first_marker(body: str) -> str:
    found = MARKER.search(body)
    return found.group(0) if found else "(no marker)"


def branch_census(github: FakeGitHub, repo: str) -> Counter[str]:
    """Baton's branches, the commits each holds over main, and whether their files are right."""
    counts: Counter[str] = Counter()
    branches = github.branches(repo)
    for name, sha in branches.items():
        if not name.startswith("baton/"):
            continue
        counts[f"branch {name}"] += 1
        while sha != branches["main"] and github.commit_at(repo, sha).parents:
            counts[f"commit on {name}"] += 1
            sha = github.commit_at(repo, sha).parents[0]
        for path, text in WRITTEN.items():
            if github.file_at(repo, name, path) == text:
                counts[f"file {path} as planned"] += 1
    return counts


def run_id_of(trigger_delivery: str, workflow: str) -> str:
    return f"{trigger_delivery}:{workflow}"


def judge(
    counts: Counter[str], scenario: Scenario, run_id: str, bot: str
) -> tuple[list[str], list[str]]:
    """(duplicates, shortfalls): what GitHub holds more than once, and what it lacks or should
    not hold at all."""
    expected = scenario.expected(run_id) | {
        f"check run Baton: {scenario.workflow} {run_id}",
        f"reaction eyes by {bot} on the command",
    }
    duplicates = [f"{n}x {key}" for key, n in sorted(counts.items()) if n > 1]
    missing = [f"no {key}" for key in sorted(expected - set(counts))]
    unexpected = [f"unexpected {key}" for key in sorted(set(counts) - expected)]
    return duplicates, missing + unexpected


# One kill point, driven to the end ---------------------------------------------------------


@dataclass
class Row:
    point: KillPoint | None  # None: the recording run, without a kill
    outcome: str
    duplicates: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.outcome == "finished" and not self.duplicates
