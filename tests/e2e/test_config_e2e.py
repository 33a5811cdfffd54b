"""`.github/baton.yml` as users meet it: their own workflows, their mistakes, PRs that edit it."""

from __future__ import annotations

from tests.e2e.conftest import INSTALLATION, REPO, World, pr_event

GUARD = """\
version: 1
workflows:
  guard:
    on: [pull_request.opened]
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.publish
"""
BROKEN = GUARD.replace("      - uses: review.checks\n", "      - uses: review.lm\n")
OTHER_ONLY = """\
version: 1
workflows:
  other:
    on: [/other]
    steps:
      - uses: pr.diff
"""
KEY = 'token = "' + "AKIA" + "ABCDEFGHIJKLMNOP" + '"\n'


def test_user_defined_workflow_runs_like_a_built_in_one(world: World) -> None:
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={".github/baton.yml": GUARD})
    head = world.github.add_pull(REPO, number=1, head_files={"src/keys.py": KEY})

    world.send("pull_request", pr_event("opened", 1, head))

    check = world.finished_check(head, name="Baton: guard")
    assert check.conclusion == "success"
    assert world.llm.requests == []  # the workflow has no model step
    review = world.github.reviews(REPO, 1)[0]
    assert review.comments[0].path == "src/keys.py" and review.comments[0].line == 1
    assert "AKIAABCDEFGHIJKLMNOP" not in review.comments[0].body


def test_invalid_config_is_shown_on_the_check_run_and_the_last_valid_one_keeps_working(
    world: World,
) -> None:
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={".github/baton.yml": GUARD})
    first = world.github.add_pull(REPO, number=1, head_files={"a.py": "x = 1\n"})
    world.send("pull_request", pr_event("opened", 1, first))
    world.finished_check(first, name="Baton: guard")
    world.github.commit(REPO, "main", {".github/baton.yml": BROKEN}, message="Typo in config")
    second = world.github.add_pull(REPO, number=2, head_files={"b.py": "y = 2\n"})

    world.send("pull_request", pr_event("opened", 2, second))

    check = world.finished_check(second, name="Baton: guard")
    assert check.conclusion == "success"
    assert ".github/baton.yml line 7, column" in check.summary
    assert "unknown step `review.lm`" in check.summary
    assert "did you mean `review.llm`" in check.summary
    assert "last valid config" in check.summary
    assert any("baton:summary guard" in c.body for c in world.github.comments(REPO, 2))


def test_config_changed_only_in_the_pull_request_head_is_ignored(world: World) -> None:
    world.llm.respond_with(lambda request: {"summary": "Fine.", "findings": []})
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"a.py": "x = 1\n"})
    head = world.github.add_pull(
        REPO, number=3, head_files={".github/baton.yml": OTHER_ONLY, "a.py": "x = 2\n"}
    )

    world.send("pull_request", pr_event("opened", 3, head))

    assert world.finished_check(head, name="Baton: review").conclusion == "success"
    assert all(r.name != "Baton: other" for r in world.github.check_runs(REPO))


def test_config_is_read_in_one_request_at_the_commit_main_points_at(world: World) -> None:
    world.github.add_repo(
        REPO, installation_id=INSTALLATION, files={".github/baton.yml": OTHER_ONLY}
    )
    main = world.github.commit(REPO, "main", {".github/baton.yml": GUARD}, message="Add guard")
    head = world.github.add_pull(REPO, number=4, head_files={"a.py": "x = 1\n"})
    before = len(world.github.requests)

    world.send("pull_request", pr_event("opened", 4, head))

    check = world.finished_check(head, name="Baton: guard")
    assert f"config {main[:7]}" in check.summary
    reads = [
        r.path
        for r in world.github.requests[before:]
        if r.path == "/graphql" or "/contents/" in r.path or "/branches/" in r.path
    ]
    assert reads == ["/graphql"]  # the branch, its config and the prompt overrides at once
