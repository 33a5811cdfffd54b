"""The real githubkit adapter, as an App installation and with a personal token, on the fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.adapters.github_convert import OUTPUT_LIMIT
from bot.ports.github import (
    CheckRunUpdate,
    GitHubError,
    GitHubPort,
    ReviewComment,
    ReviewRejected,
)
from tests.fakes import keys
from tests.fakes.github import FakeGitHub, faults, pull_file
from tests.integration.on_fake import FAST, REPO

MARKER = "<!-- baton:summary review -->"
OLD_APP = "def handler(request):\n    return 'ok'\n\n\ndef other():\n    pass\n"
NEW_APP = (
    "def handler(request):\n    check_auth(request)\n    return 'ok'\n\n\ndef other():\n    pass\n"
)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files={"app.py": OLD_APP, "README.md": "Widgets\n"})
    fake.add_pull(REPO, number=3, head_files={"app.py": NEW_APP}, author="alice")
    with fake.serve():
        yield fake


def as_port(adapter: GitHubAdapter) -> GitHubPort:
    return adapter  # mypy checks here that the adapter implements the port


def check(fake: FakeGitHub, **changes: object) -> CheckRunUpdate:
    fields: dict[str, object] = {
        "repo": REPO,
        "name": "Baton review",
        "head_sha": fake.pull(REPO, 3).head_sha,
        "external_id": "run-1",
        "status": "in_progress",
        "title": "Reviewing",
        "summary": "1 of 4 steps done",
    }
    return CheckRunUpdate.model_validate({**fields, **changes})


async def test_installation_token_is_fetched_once_and_reused(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.get_repository(REPO)
    await github.get_pull(REPO, 3)
    await GitHubApp(42, keys.app_private_key(), fake.base_url).for_installation(7).get_pull(REPO, 3)

    assert len(fake.requests_to("POST", "/access_tokens")) == 2  # one per GitHubApp
    assert {r.actor for r in fake.requests_to("GET", "/repos/")} == {"baton[bot]"}


async def test_a_jwt_signed_with_another_key_is_refused(fake: FakeGitHub) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    impostor = GitHubApp(42, pem, fake.base_url, FAST).for_installation(7)

    with pytest.raises(GitHubError) as refused:
        await impostor.get_repository(REPO)
    assert refused.value.status == 401 and refused.value.permanent
    assert [r.status for r in fake.requests_to("POST", "/access_tokens")] == [401]


async def test_first_upsert_creates_the_comment(fake: FakeGitHub, github: GitHubAdapter) -> None:
    comment = await github.upsert_comment(REPO, 3, MARKER, f"Looks good.\n{MARKER}")

    [stored] = fake.comments(REPO, 3)
    assert (stored.id, stored.author, stored.body) == (comment.id, "baton[bot]", comment.body)


async def test_second_upsert_edits_the_same_comment(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    first = await github.upsert_comment(REPO, 3, MARKER, f"Reviewing…\n{MARKER}")
    second = await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")

    assert second.id == first.id
    assert [c.body for c in fake.comments(REPO, 3)] == [f"Done.\n{MARKER}"]


async def test_an_unchanged_comment_is_not_rewritten(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")
    await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")

    assert fake.requests_to("PATCH") == []


async def test_a_human_comment_quoting_the_marker_is_left_alone(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    quoted = f"Why does the bot write {MARKER}?"
    fake.add_comment(REPO, 3, quoted, author="alice")

    await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")

    comments = fake.comments(REPO, 3)
    assert [(c.author, c.body) for c in comments] == [
        ("alice", quoted),
        ("baton[bot]", f"Done.\n{MARKER}"),
    ]


async def test_a_comment_whose_post_failed_after_landing_is_not_doubled(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.after_hooks.append(faults.fail_after("POST", "/issues/3/comments", 502))

    # The adapter looks for the comment before sending it again, and finds it.
    await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")

    assert len(fake.requests_to("POST", "/issues/3/comments")) == 1
    assert len(fake.comments(REPO, 3)) == 1


async def test_a_failed_read_is_retried(fake: FakeGitHub, github: GitHubAdapter) -> None:
    fake.before_hooks.append(faults.fail("GET", "/pulls/3", 502))

    pull = await github.get_pull(REPO, 3)

    assert pull.author == "alice"
    assert [r.status for r in fake.requests_to("GET", "/pulls/3")] == [502, 200]


async def test_a_rate_limited_write_is_retried_after_retry_after(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.before_hooks.append(faults.rate_limited("POST", "/issues/3/comments", retry_after=0))

    await github.upsert_comment(REPO, 3, MARKER, f"Done.\n{MARKER}")

    assert [r.status for r in fake.requests_to("POST", "/issues/3/comments")] == [429, 201]
    assert len(fake.comments(REPO, 3)) == 1


async def test_review_on_diff_lines_is_posted_as_a_comment_review(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    head = fake.pull(REPO, 3).head_sha
    on_added = ReviewComment(path="app.py", line=2, side="RIGHT", body="Good: auth first.")
    on_context = ReviewComment(path="app.py", line=1, side="LEFT", body="Old signature.")

    review = await github.create_review(REPO, 3, head, f"Review\n{MARKER}", [on_added, on_context])

    [stored] = fake.reviews(REPO, 3)
    assert (stored.id, stored.state, stored.commit_id) == (review.id, "COMMENTED", head)
    assert [(c.path, c.line, c.side) for c in stored.comments] == [
        ("app.py", 2, "RIGHT"),
        ("app.py", 1, "LEFT"),
    ]
    assert await github.find_review(REPO, 3, MARKER) == review


async def test_review_on_a_line_outside_the_diff_is_rejected_and_nothing_is_posted(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    head = fake.pull(REPO, 3).head_sha
    good = ReviewComment(path="app.py", line=2, body="fine")
    outside = ReviewComment(path="app.py", line=7, body="not in any hunk")

    with pytest.raises(ReviewRejected, match="must be part of the diff"):
        await github.create_review(REPO, 3, head, "Review", [good, outside])

    assert fake.reviews(REPO, 3) == []


async def test_find_review_ignores_reviews_by_people(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    assert await github.find_review(REPO, 3, MARKER) is None


async def test_check_run_upsert_creates_once_then_updates(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    first = await github.upsert_check_run(check(fake))
    done = check(fake, status="completed", conclusion="success", summary="4 of 4 steps done")
    second = await github.upsert_check_run(done)

    [stored] = fake.check_runs(REPO)
    assert second.id == first.id == stored.id
    assert (stored.status, stored.conclusion, stored.summary) == (
        "completed",
        "success",
        "4 of 4 steps done",
    )


async def test_a_check_run_summary_too_long_for_github_is_truncated(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await github.upsert_check_run(check(fake, summary="x" * 70_000, text="y" * 70_000))

    [stored] = fake.check_runs(REPO)
    assert stored.summary is not None and stored.text is not None
    assert len(stored.summary) <= OUTPUT_LIMIT and len(stored.text) <= OUTPUT_LIMIT
    assert stored.summary.endswith("characters did not fit.")


async def test_files_are_read_at_a_branch_or_an_old_commit(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    base = fake.pull(REPO, 3).base_sha
    fake.commit(REPO, "main", {"app.py": "rewritten\n"})

    at_base = await github.get_file(REPO, "app.py", base)
    on_main = await github.get_file(REPO, "app.py", "main")

    assert at_base is not None and at_base.text == OLD_APP
    assert on_main is not None and on_main.text == "rewritten\n"


async def test_a_missing_file_is_none(github: GitHubAdapter) -> None:
    assert await github.get_file(REPO, ".github/baton.yml", "main") is None


async def test_a_file_over_a_megabyte_is_read_whole(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    big = "x" * (1024 * 1024 + 10)
    fake.commit(REPO, "main", {"big.txt": big})

    found = await github.get_file(REPO, "big.txt", "main")

    assert found is not None and found.text == big


async def test_roles_come_from_role_name_and_non_collaborators_have_none(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    fake.set_role(REPO, "bob", "triage")

    assert await github.get_permission(REPO, "bob") == "triage"
    assert await github.get_permission(REPO, "octo") == "admin"  # the owner
    assert await github.get_permission(REPO, "mallory") == "none"


async def test_every_page_of_a_large_pull_is_listed(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    files = [pull_file(f"src/m{i:03}.py", None, f"x = {i}\n") for i in range(250)]
    fake.add_pull(REPO, number=4, files=files)

    listed = await github.list_pull_files(REPO, 4)

    assert [f.filename for f in listed] == [f["filename"] for f in files]
    assert len(fake.requests_to("GET", "/pulls/4/files")) == 3


async def test_reacting_twice_leaves_one_reaction(fake: FakeGitHub, github: GitHubAdapter) -> None:
    comment_id = fake.add_comment(REPO, 3, "/review", author="alice")

    await github.add_reaction(REPO, comment_id, "eyes")
    await github.add_reaction(REPO, comment_id, "eyes")

    assert [(r.content, r.author) for r in fake.reactions(REPO, comment_id)] == [
        ("eyes", "baton[bot]")
    ]


async def test_a_personal_token_finds_its_own_comment_by_login(fake: FakeGitHub) -> None:
    token = fake.add_user_token("carol")
    fake.set_role(REPO, "carol", "write")
    github = GitHubAdapter.with_token(token, fake.base_url, FAST)

    await github.upsert_comment(REPO, 3, MARKER, f"From the CLI.\n{MARKER}")
    await github.upsert_comment(REPO, 3, MARKER, f"Again.\n{MARKER}")

    assert [(c.author, c.body) for c in fake.comments(REPO, 3)] == [("carol", f"Again.\n{MARKER}")]


async def test_an_unknown_token_is_refused(fake: FakeGitHub) -> None:
    github = GitHubAdapter.with_token("ghp_not_a_token", fake.base_url, FAST)

    with pytest.raises(GitHubError) as refused:
        await github.get_repository(REPO)
    assert refused.value.status == 401
