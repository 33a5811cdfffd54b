"""The real githubkit adapter's writes for drafts, breakdowns and approvals, on the fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.ports.github import CheckAction, CheckRunUpdate, GitHubError
from tests.fakes import keys
from tests.fakes.github import FakeGitHub, Reply, faults
from tests.integration.on_fake import FAST, REPO

MARKER = "<!-- baton:breakdown 12 part 1 -->"
APPROVE = CheckAction(label="Approve", description="Run the plan as shown", identifier="approve")
REJECT = CheckAction(label="Reject", description="Stop this run", identifier="reject")


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files={"README.md": "Widgets\n", "src/app.py": "a\n"})
    fake.add_issue(REPO, number=12, title="Split the parser", author="alice")
    with fake.serve():
        yield fake


# Issues ---------------------------------------------------------------------------------


async def test_an_issue_baton_opened_is_found_again_by_its_marker(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.add_issue(REPO, title="Quoting the bot", body=f"It wrote {MARKER}", author="alice")
    created = await github.create_issue(REPO, "Part 1", f"Do this.\n{MARKER}", ["baton"])

    found = await github.find_issues_by_marker(REPO, MARKER)
    again = await github.find_issues_by_marker(REPO, MARKER)

    assert found == again == [created]
    assert (created.author, created.labels) == ("baton[bot]", ["baton"])
    assert len(fake.requests_to("GET", "/app")) == 1  # the bot's login, asked once


async def test_a_closed_issue_is_found_but_a_pull_with_the_marker_is_not(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    done = fake.add_issue(REPO, body=MARKER, author="baton[bot]", closed=True)
    fake.commit(REPO, "topic", {"x.py": "x\n"})
    await github.create_pull(REPO, "topic", "main", "Not an issue", MARKER)

    found = await github.find_issues_by_marker(REPO, MARKER)

    assert [(i.number, i.state) for i in found] == [(done, "closed")]


async def test_a_personal_token_finds_the_issues_it_opened(fake: FakeGitHub) -> None:
    github = GitHubAdapter.with_token(fake.add_user_token("carol"), fake.base_url, FAST)
    fake.add_issue(REPO, body=MARKER, author="baton[bot]")

    created = await github.create_issue(REPO, "Part 1", MARKER)

    assert await github.find_issues_by_marker(REPO, MARKER) == [created]
    assert fake.requests_to("GET", "/issues")[-1].query["creator"] == "carol"


async def test_an_issue_created_though_github_answered_502_is_found_not_made_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.after_hooks.append(faults.fail_after("POST", f"/repos/{REPO}/issues", 502))

    created = await github.create_issue(REPO, "Part 1", MARKER)

    assert len(fake.requests_to("POST", f"/repos/{REPO}/issues")) == 1
    assert await github.find_issues_by_marker(REPO, MARKER) == [created]


async def test_an_issue_and_its_comments_are_read_across_pages(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    ids = [fake.add_comment(REPO, 12, f"comment {i}") for i in range(120)]

    issue = await github.get_issue(REPO, 12)
    comments = await github.list_comments(REPO, 12)

    assert (issue.title, issue.author, issue.is_pull_request) == (
        "Split the parser",
        "alice",
        False,
    )
    assert [c.id for c in comments] == ids
    assert await github.get_comment(REPO, ids[5]) == comments[5]
    assert await github.get_comment(REPO, 999_999) is None


async def test_another_bots_comment_carrying_batons_marker_is_never_taken_for_batons(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    """A workflow in the repository can post as github-actions[bot] and copy Baton's markers:
    that comment must not be read back as Baton's plan, nor edited as Baton's comment."""
    marker = "<!-- baton:approval d-1:breakdown -->"
    forged = fake.add_comment(REPO, 12, f"{marker}\nforged plan", author="github-actions[bot]")

    assert await github.find_own_comments(REPO, 12, marker) == []
    mine = await github.upsert_comment(REPO, 12, marker, f"{marker}\nthe plan")

    assert mine.id != forged
    found = await github.find_own_comments(REPO, 12, marker)
    assert [(c.id, c.body) for c in found] == [(mine.id, f"{marker}\nthe plan")]
    assert fake.repos[REPO].comments[forged].body == f"{marker}\nforged plan"


# Sub-issues -----------------------------------------------------------------------------


async def test_linking_a_sub_issue_twice_leaves_one_link(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    child = await github.create_issue(REPO, "Part 1", MARKER)

    await github.add_sub_issue(REPO, 12, child.id)
    await github.add_sub_issue(REPO, 12, child.id)

    assert [i.number for i in fake.sub_issues(REPO, 12)] == [child.number]
    assert [i.id for i in await github.list_sub_issues(REPO, 12)] == [child.id]
    assert len(fake.requests_to("POST", "/sub_issues")) == 1


async def test_a_duplicate_github_refuses_counts_as_linked(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    child = fake.add_issue(REPO, title="Part 1")
    fake.add_sub_issue(REPO, 12, child)
    stale = iter([Reply(200, [])])  # the first listing misses the link another run just made
    fake.before_hooks.append(
        lambda seen: next(stale, None) if seen.path.endswith("/sub_issues") else None
    )

    await github.add_sub_issue(REPO, 12, fake.issue(REPO, child).id)

    assert [r.status for r in fake.requests_to("POST", "/sub_issues")] == [422]
    assert [i.number for i in fake.sub_issues(REPO, 12)] == [child]


async def test_a_sub_issue_id_that_is_no_issue_of_the_repository_is_refused(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    child = fake.add_issue(REPO, title="Part 1")

    with pytest.raises(GitHubError) as refused:
        await github.add_sub_issue(REPO, 12, child)  # the number, where the id belongs

    assert refused.value.status == 422 and refused.value.permanent
    assert fake.sub_issues(REPO, 12) == []


async def test_an_issue_with_another_parent_is_not_moved(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    other, child = fake.add_issue(REPO, title="Other epic"), fake.add_issue(REPO, title="Part")
    fake.add_sub_issue(REPO, other, child)

    with pytest.raises(GitHubError, match="only have one parent"):
        await github.add_sub_issue(REPO, 12, fake.issue(REPO, child).id)

    assert [i.number for i in fake.sub_issues(REPO, other)] == [child]


# Branches and commits -------------------------------------------------------------------


async def test_committing_files_creates_a_branch_holding_them(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.branches(REPO)["main"]
    files = {"src/parser/lexer.py": "tokens\n", "README.md": None}

    sha = await github.commit_files(REPO, "baton/draft-12", base, files, "Draft for #12")

    assert await github.find_branch(REPO, "baton/draft-12") == sha
    assert fake.file_at(REPO, "baton/draft-12", "src/parser/lexer.py") == "tokens\n"
    assert fake.file_at(REPO, "baton/draft-12", "README.md") is None
    assert fake.file_at(REPO, "baton/draft-12", "src/app.py") == "a\n"
    assert fake.commit_at(REPO, "baton/draft-12").parents == [base]
    found = await github.get_file(REPO, "src/parser/lexer.py", "baton/draft-12")
    assert found is not None and found.text == "tokens\n"


async def test_committing_again_moves_the_same_branch(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.branches(REPO)["main"]
    await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "one\n"}, "Draft")

    second = await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "two\n"}, "Draft")

    assert fake.branches(REPO) == {"main": base, "baton/draft-12": second}
    assert fake.file_at(REPO, "baton/draft-12", "a.py") == "two\n"
    assert [r.status for r in fake.requests_to("PATCH", "/git/refs/")] == [200]


async def test_committing_the_same_files_again_writes_no_commit(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.branches(REPO)["main"]
    first = await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "one\n"}, "Draft")

    again = await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "one\n"}, "Draft")

    assert again == first
    assert len(fake.requests_to("POST", "/git/commits")) == 1


async def test_deleting_a_file_the_base_lacks_is_refused(github: GitHubAdapter) -> None:
    base = await github.get_branch_sha(REPO, "main")

    with pytest.raises(GitHubError) as refused:
        await github.commit_files(REPO, "baton/draft-12", base, {"nope.py": None}, "Draft")

    assert refused.value.status == 422
    assert await github.find_branch(REPO, "baton/draft-12") is None


async def test_committing_no_files_is_refused_before_asking_github(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    with pytest.raises(ValueError, match="nothing to commit"):
        await github.commit_files(REPO, "baton/draft-12", "0" * 40, {}, "Draft")

    assert fake.requests_to("POST", "/git/") == []


async def test_the_tree_lists_nested_paths_at_a_branch_or_a_commit(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    old = fake.branches(REPO)["main"]
    fake.commit(REPO, "feature/deep", {"src/parser/grammar/rules.py": "r\n"})

    assert await github.list_tree(REPO, "feature/deep") == [
        "README.md",
        "src/app.py",
        "src/parser/grammar/rules.py",
    ]
    assert await github.list_tree(REPO, old) == ["README.md", "src/app.py"]


async def test_a_truncated_tree_gives_what_github_sent_and_says_so(
    fake: FakeGitHub, github: GitHubAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    fake.tree_limit = 2  # GitHub stops at 100,000 entries: here README.md and src/

    listed = await github.list_tree(REPO, "main")

    assert listed == ["README.md"]
    assert "truncated" in caplog.text


# Pulls ----------------------------------------------------------------------------------


async def test_a_second_pull_for_one_head_is_refused_and_the_first_is_found(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.branches(REPO)["main"]
    await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "one\n"}, "Draft")
    first = await github.create_pull(REPO, "baton/draft-12", "main", "Draft #12", "Closes #12")

    with pytest.raises(GitHubError, match="A pull request already exists") as refused:
        await github.create_pull(REPO, "baton/draft-12", "main", "Draft #12", "Closes #12")

    assert refused.value.status == 422
    found = await github.find_pull_by_head(REPO, "baton/draft-12")
    # A listing's pull carries no comment count, so it is compared without one.
    assert found == first.model_copy(update={"comments": None})
    assert await github.find_pull_by_head(REPO, "baton/draft-99") is None
    assert [(p.number, p.draft, p.author) for p in fake.pulls(REPO)] == [
        (first.number, True, "baton[bot]")
    ]


async def test_a_pull_follows_its_branch_when_the_files_are_committed_again(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.branches(REPO)["main"]
    await github.commit_files(REPO, "baton/draft-12", base, {"a.py": "one\n"}, "Draft")
    pull = await github.create_pull(REPO, "baton/draft-12", "main", "Draft", "")

    head = await github.commit_files(REPO, "baton/draft-12", base, {"b.py": "two\n"}, "Draft")

    assert (await github.get_pull(REPO, pull.number)).head_sha == head
    assert [f.filename for f in await github.list_pull_files(REPO, pull.number)] == ["b.py"]


async def test_a_repository_without_draft_pulls_gets_a_ready_pull(fake: FakeGitHub) -> None:
    fake.add_repo("octo/private", installation_id=7, private=True, draft_pulls=False)
    fake.commit("octo/private", "baton/draft-1", {"a.py": "a\n"})
    github = GitHubApp(42, keys.app_private_key(), fake.base_url, FAST).for_installation(7)

    pull = await github.create_pull("octo/private", "baton/draft-1", "main", "Draft", "")

    assert not pull.draft
    assert [r.status for r in fake.requests_to("POST", "/pulls")] == [422, 201]


async def test_updating_a_pull_sets_title_and_body_once(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.add_pull(REPO, number=30, title="Old", body="old")

    updated = await github.update_pull(REPO, 30, "New", "new body")
    again = await github.update_pull(REPO, 30, "New", "new body")

    assert again == updated
    assert (fake.pull(REPO, 30).title, fake.pull(REPO, 30).body) == ("New", "new body")
    assert len(fake.requests_to("PATCH", "/pulls/30")) == 1


# Check runs -----------------------------------------------------------------------------


def approval_check(fake: FakeGitHub, actions: list[CheckAction]) -> CheckRunUpdate:
    return CheckRunUpdate(
        repo=REPO,
        name="Baton: breakdown",
        head_sha=fake.branches(REPO)["main"],
        external_id="run-9",
        status="completed",
        conclusion="action_required",
        title="Waiting for approval",
        summary="Approve the plan to create 3 issues.",
        actions=actions,
    )


async def test_check_run_buttons_are_set_and_taken_away(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.upsert_check_run(approval_check(fake, [APPROVE, REJECT]))
    [waiting] = fake.check_runs(REPO)

    await github.upsert_check_run(approval_check(fake, []))
    [done] = fake.check_runs(REPO)

    assert waiting.actions == [APPROVE.model_dump(), REJECT.model_dump()]
    assert done.actions == []


def test_a_button_github_would_refuse_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError):
        CheckAction(label="Approve this plan now!", description="x", identifier="approve")
    with pytest.raises(ValidationError):
        CheckRunUpdate.model_validate(
            {**approval_check_fields(), "actions": [APPROVE, REJECT, APPROVE, REJECT]}
        )


def approval_check_fields() -> dict[str, object]:
    return {
        "repo": REPO,
        "name": "Baton: breakdown",
        "head_sha": "0" * 40,
        "external_id": "run-9",
        "status": "in_progress",
        "title": "Waiting",
        "summary": "Waiting",
    }
