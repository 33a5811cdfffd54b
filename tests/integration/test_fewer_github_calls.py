"""What Baton does to spend fewer of GitHub's requests: a check run it knows is updated
directly, a write on its first attempt is sent without looking for an earlier one, a summary
it remembers is edited without listing comments, and a file at a commit is read once (the real
adapter on the fake GitHub)."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.ports.github import CheckRunUpdate, ReviewComment
from bot.store.database import Store
from bot.store.file_cache import file_at
from bot.store.write_marks import StoredCommentIds, first_claim
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.integration.on_fake import FAST, REPO
from tests.integration.test_github_adapter import check

MARKER = "<!-- baton:summary review -->"


class Permits:
    """The pace port as bot/engine/pacing.py answers it: True the first time a write asks."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    async def __call__(self, installation_id: int, what: str) -> bool:
        first = what not in self.taken
        self.taken.add(what)
        return first


def paced(fake: FakeGitHub, store: Store | None = None) -> GitHubAdapter:
    ids = None if store is None else StoredCommentIds(store)
    app = GitHubApp(
        42, keys.app_private_key(), fake.base_url, FAST, pace=Permits(), comment_ids=ids
    )
    return app.for_installation(7)


def sent(fake: FakeGitHub, after: int) -> list[str]:
    return [f"{r.method} {r.path.split('/')[-2]}" for r in fake.requests[after:]]


def made(fake: FakeGitHub, after: int) -> list[str]:
    """Each request after `after`, as `METHOD last/two` parts of its path."""
    return [f"{r.method} {'/'.join(r.path.split('/')[-2:])}" for r in fake.requests[after:]]


async def warm(github: GitHubAdapter) -> None:
    """The installation token and Baton's own login, fetched before counting."""
    await github.get_pull(REPO, 3)
    await github.find_review(REPO, 3, MARKER)


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


async def test_a_new_check_run_is_created_without_looking_for_it(
    fake: FakeGitHub, github: GitHubAdapter
) -> None:
    await warm(github)
    before = len(fake.requests)

    await github.upsert_check_run(check(fake), new=True)

    assert made(fake, before) == ["POST widgets/check-runs"]
    assert len(fake.check_runs(REPO)) == 1


async def test_a_check_run_claimed_before_is_looked_for_and_not_made_twice(
    fake: FakeGitHub, github: GitHubAdapter, store: Store
) -> None:
    key = "check-run run-1"
    assert first_claim(store, key)
    await github.upsert_check_run(check(fake), new=True)  # made; the step crashes before its end

    await github.upsert_check_run(check(fake, status="completed"), new=first_claim(store, key))

    [stored] = fake.check_runs(REPO)
    assert stored.status == "completed"


async def test_a_summary_on_a_pull_without_comments_is_posted_in_one_request(
    fake: FakeGitHub,
) -> None:
    github = paced(fake)
    await warm(github)
    before = len(fake.requests)

    await github.upsert_comment(REPO, 3, MARKER, "3 findings", none_before=True)

    assert made(fake, before) == ["POST 3/comments"]
    assert [c.body for c in fake.comments(REPO, 3)] == [f"3 findings\n\n{MARKER}"]


async def test_a_summary_posted_by_an_earlier_attempt_is_found_not_posted_again(
    fake: FakeGitHub,
) -> None:
    github = paced(fake)
    await github.upsert_comment(REPO, 3, MARKER, "3 findings", none_before=True)

    # The step runs again (its first attempt crashed after posting): the permit is not new.
    await github.upsert_comment(REPO, 3, MARKER, "3 findings", none_before=True)

    assert len(fake.comments(REPO, 3)) == 1


async def test_a_remembered_summary_is_edited_without_listing_comments(
    fake: FakeGitHub, store: Store
) -> None:
    github = paced(fake, store)
    first = await github.upsert_comment(REPO, 3, MARKER, "3 findings")
    before = len(fake.requests)

    again = await github.upsert_comment(REPO, 3, MARKER, "1 finding")

    assert made(fake, before) == [f"PATCH comments/{first.id}"]
    assert again.id == first.id
    assert [c.body for c in fake.comments(REPO, 3)] == [f"1 finding\n\n{MARKER}"]


async def test_a_remembered_summary_someone_deleted_is_posted_again(
    fake: FakeGitHub, store: Store
) -> None:
    github = paced(fake, store)
    first = await github.upsert_comment(REPO, 3, MARKER, "3 findings")
    del fake.repos[REPO].comments[first.id]

    again = await github.upsert_comment(REPO, 3, MARKER, "1 finding")

    assert [c.id for c in fake.comments(REPO, 3)] == [again.id]
    assert again.id != first.id


async def test_a_review_on_its_first_attempt_is_posted_without_listing_reviews(
    fake: FakeGitHub,
) -> None:
    github = paced(fake)
    await warm(github)
    head = fake.pull(REPO, 3).head_sha
    before = len(fake.requests)

    await github.create_review(
        REPO, 3, head, "run-1", [ReviewComment(path="app.py", line=1, body="x")]
    )

    assert made(fake, before) == ["POST 3/reviews"]


async def test_a_review_asked_for_again_by_its_step_is_posted_once(fake: FakeGitHub) -> None:
    github = paced(fake)
    head = fake.pull(REPO, 3).head_sha
    inline = [ReviewComment(path="app.py", line=1, body="x")]
    first = await github.create_review(REPO, 3, head, "run-1", inline)

    again = await github.create_review(REPO, 3, head, "run-1", inline)

    assert again.id == first.id
    assert len(fake.reviews(REPO, 3)) == 1
