"""PR review from a signed webhook to a review on GitHub, through a real `baton serve` process."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import INSTALLATION, REPO, World, comment_event, pr_event

APP = "\n".join(f"line {n}" for n in range(1, 11)) + "\n"
CHANGED = APP.replace("line 3\n", "password = compute()\n")


def finding(path: str, line: int, body: str = "This can crash.") -> dict[str, Any]:
    return {
        "path": path,
        "line": line,
        "side": "RIGHT",
        "severity": "major",
        "title": "Possible crash",
        "body": body,
    }


def answers(*findings: dict[str, Any]) -> Any:
    return lambda request: {"summary": "Changes line 3.", "findings": list(findings)}


def open_pull(world: World, number: int = 5, files: dict[str, str | None] | None = None) -> str:
    if REPO not in world.github.repos:
        world.github.add_repo(REPO, installation_id=INSTALLATION, files={"src/app.py": APP})
    return world.github.add_pull(
        REPO, number=number, head_files=files or {"src/app.py": CHANGED}, author="alice"
    )


def summaries(world: World, number: int) -> list[Any]:
    return [c for c in world.github.comments(REPO, number) if "baton:summary" in c.body]


def test_opened_pull_request_gets_check_run_summary_and_inline_review(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world)

    assert world.send("pull_request", pr_event("opened", 5, head)).status_code == 202

    check = world.finished_check(head)
    assert check.conclusion == "success"
    world.wait_for(lambda: summaries(world, 5), what="the summary comment")
    reviews = world.github.reviews(REPO, 5)
    assert len(reviews) == 1
    assert reviews[0].event == "COMMENT"
    assert [(c.path, c.line, c.side) for c in reviews[0].comments] == [("src/app.py", 3, "RIGHT")]
    assert "This can crash." in reviews[0].comments[0].body


def pull_reads(world: World, number: int) -> int:
    """How many times GitHub was asked for the pull itself (not its files)."""
    path = f"/repos/{REPO}/pulls/{number}"
    return sum(r.path == path for r in world.github.requests_to("GET", path))


def test_an_opened_pull_request_is_taken_from_its_delivery_not_read_again(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world)

    world.send("pull_request", pr_event("opened", 5, head))

    assert world.finished_check(head).conclusion == "success"
    world.settle(0.5)
    # Nor before posting: a newer push would have cancelled the run (and its dispatch read it).
    assert pull_reads(world, 5) == 0
    assert len(world.github.reviews(REPO, 5)) == 1


def test_redelivered_webhook_runs_nothing_twice(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world)
    event = pr_event("opened", 5, head)
    world.send("pull_request", event, delivery="delivery-1")
    world.finished_check(head)
    before = world.settle()

    again = world.send("pull_request", event, delivery="delivery-1")

    assert again.status_code in (200, 202)
    assert world.settle() == before
    assert len(summaries(world, 5)) == 1
    assert len(world.github.reviews(REPO, 5)) == 1
    assert len(world.github.check_runs(REPO, head)) == 1
    assert len(world.llm.requests) == 1


def test_synchronize_edits_the_summary_instead_of_adding_one(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world)
    world.send("pull_request", pr_event("opened", 5, head))
    world.finished_check(head)
    new_head = world.github.push_to_pull(REPO, 5, head_files={"src/app.py": CHANGED + "more\n"})

    world.send("pull_request", pr_event("synchronize", 5, new_head))

    world.finished_check(new_head)
    comments = summaries(world, 5)
    assert len(comments) == 1
    assert new_head[:7] in comments[0].body


def test_finding_outside_the_diff_goes_to_the_summary_and_the_review_is_still_posted(
    world: World,
) -> None:
    world.llm.respond_with(
        answers(finding("src/app.py", 3), finding("src/app.py", 9, "Line nine is not in the diff."))
    )
    head = open_pull(world)

    world.send("pull_request", pr_event("opened", 5, head))

    world.finished_check(head)
    reviews = world.github.reviews(REPO, 5)
    assert [(c.path, c.line) for c in reviews[0].comments] == [("src/app.py", 3)]
    summary = world.wait_for(lambda: summaries(world, 5), what="the summary")[0]
    assert "Line nine is not in the diff." in summary.body
    assert "src/app.py:9" in summary.body


def test_review_command_from_a_reader_is_refused_with_a_reply(world: World) -> None:
    head = open_pull(world)
    world.github.set_role(REPO, "rita", "read")
    comment = world.github.add_comment(REPO, 5, "/review", author="rita")

    world.send("issue_comment", comment_event(5, "/review", "rita", comment))

    reply = world.wait_for(
        lambda: [c for c in world.github.comments(REPO, 5) if "baton:reply" in c.body],
        what="a reply to the refused command",
    )[0]
    assert "@rita" in reply.body and "write" in reply.body
    world.settle(1.0)
    assert world.github.check_runs(REPO, head) == []
    assert world.github.reactions(REPO, comment) == []


def test_review_command_from_a_writer_runs_the_review(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    head = open_pull(world)
    world.github.set_role(REPO, "wendy", "write")
    comment = world.github.add_comment(REPO, 5, "/review", author="wendy")

    world.send("issue_comment", comment_event(5, "/review", "wendy", comment))

    assert world.finished_check(head).conclusion == "success"
    assert [r.content for r in world.github.reactions(REPO, comment)] == ["eyes"]
    assert len(world.github.reviews(REPO, 5)) == 1
    # Read once, by the dispatch (a comment's delivery has no head); the run uses that read.
    assert pull_reads(world, 5) == 1


def test_review_command_on_an_issue_says_it_needs_a_pull_request(world: World) -> None:
    world.github.add_repo(REPO, installation_id=INSTALLATION, files={"src/app.py": APP})
    world.github.add_issue(REPO, number=8, title="Login is slow", body="It takes 9 s.")
    world.github.set_role(REPO, "wendy", "write")
    comment = world.github.add_comment(REPO, 8, "/review", author="wendy")
    event = comment_event(8, "/review", "wendy", comment)
    del event["issue"]["pull_request"]  # a plain issue

    world.send("issue_comment", event)

    said = world.wait_for(
        lambda: [c for c in world.github.comments(REPO, 8) if "stopped at step" in c.body],
        what="a comment saying why the review stopped",
    )
    assert "#8 is an issue, not a pull request" in said[0].body
    assert world.github.requests_to("GET", f"/repos/{REPO}/pulls/8") == []
    assert world.llm.requests == []


OVERRIDE = """\
---
id: team-review
version: 3
output: review.output
system: You review code for the {{ repo }} team. Only report bugs in error handling.
---
Pull request #{{ pr.number }}:
{% for file in files %}{{ file.path }}
{{ file.patch }}
{% endfor %}
"""


def run_record(world: World, run_id: str) -> dict[str, Any]:
    """The run as Baton recorded it, read from its database the way an operator would."""
    from dbos import DBOSClient

    client = DBOSClient(system_database_url=world.baton.env["DATABASE_URL"])
    try:
        record: dict[str, Any] = client.get_event(run_id, "run", timeout_seconds=5)
    finally:
        client.destroy()
    return record


def test_repository_prompt_override_is_used_and_recorded_with_the_run(world: World) -> None:
    world.llm.respond_with(answers(finding("src/app.py", 3)))
    world.github.add_repo(
        REPO,
        installation_id=INSTALLATION,
        files={"src/app.py": APP, ".github/baton/prompts/review.md": OVERRIDE},
    )
    head = world.github.add_pull(REPO, number=5, head_files={"src/app.py": CHANGED})

    world.send("pull_request", pr_event("opened", 5, head), delivery="d-override")

    world.finished_check(head)
    [request] = world.llm.requests
    assert request.messages[0]["content"].startswith("You review code for the octo/demo team.")
    # The check run completes just before the run's record says so: wait for the record.
    record = world.wait_for(
        lambda: (found := run_record(world, "d-override:review"))["status"] != "running" and found,
        what="the run's final record",
    )
    llm_step = record["steps"][2]
    assert llm_step["uses"] == "review.llm"
    assert llm_step["prompts"][0]["id"] == "team-review"
    assert llm_step["prompts"][0]["version"] == "3"
    assert llm_step["prompts"][0]["source"] == ".github/baton/prompts/review.md"
    assert len(llm_step["prompts"][0]["sha256"]) == 64
    assert llm_step["model"] == "gpt-4.1-mini"
    assert llm_step["usage"]["input_tokens"] == request.input_tokens
    assert llm_step["usage"]["output_tokens"] == request.output_tokens
    assert record["run"]["trigger"] == "pull_request.opened"
    assert record["run"]["config_sha"] == world.github.repos[REPO].branches["main"]
    assert record["steps"][0]["output"]["diff"]["files"][0]["path"] == "src/app.py"
    assert record["status"] == "succeeded"


def test_a_model_answer_that_never_fits_fails_the_run_clearly_and_posts_nothing_half_done(
    world: World,
) -> None:
    world.llm.respond_with(lambda request: "I think this PR is great!")  # never JSON
    head = open_pull(world)

    world.send("pull_request", pr_event("opened", 5, head), delivery="d-unfit")

    check = world.finished_check(head)
    assert check.conclusion == "failure"
    assert "review.llm" in check.title
    assert "did not fit ReviewOutput" in check.summary
    assert len(world.llm.requests) == 2  # the answer and one repair, no more
    failure = world.wait_for(
        lambda: [c for c in world.github.comments(REPO, 5) if "baton:failure" in c.body],
        what="the failure comment",
    )
    assert len(failure) == 1 and "stopped at step `review.llm`" in failure[0].body
    assert world.github.reviews(REPO, 5) == []
    assert not any("baton:summary" in c.body for c in world.github.comments(REPO, 5))
