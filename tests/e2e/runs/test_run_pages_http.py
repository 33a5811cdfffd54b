"""The run pages over HTTP against `baton serve`: sign-in, filters, pages, cancel and fork."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.conftest import REPO
from tests.e2e.runs.conftest import OTHER_REPO, TOKEN, RunsWorld

LISTED = re.compile(r'<tr class="run" data-run-id="([^"]+)">')


def listed(runs: RunsWorld, **params: str) -> list[str]:
    answer = runs.get("/runs", **params)
    assert answer.status_code == 200, answer.text
    return LISTED.findall(answer.text)


def test_the_pages_ask_for_a_sign_in_and_refuse_a_wrong_token(runs_world: RunsWorld) -> None:
    url = f"{runs_world.url}/runs/{runs_world.ok_run}"

    anonymous = httpx.get(url)
    wrong = httpx.get(url, headers={"Authorization": "Bearer not-the-token"})

    assert anonymous.status_code == 401 and 'name="token"' in anonymous.text
    assert wrong.status_code == 401
    assert runs_world.get(f"/runs/{runs_world.ok_run}").status_code == 200


def test_the_session_cookie_from_signing_in_opens_the_check_runs_details_link(
    runs_world: RunsWorld,
) -> None:
    details = next(
        str(c.details_url)
        for c in runs_world.world.github.check_runs(REPO)
        if c.external_id == runs_world.ok_run
    )
    path = "/runs/" + details.rsplit("/runs/", 1)[1]  # the run id, with its `:`, as GitHub links it
    with httpx.Client(base_url=runs_world.url) as browser:
        signed_in = browser.post("/login", data={"token": TOKEN, "next": path})
        page = browser.get(signed_in.headers["location"])

    assert signed_in.status_code == 303
    assert "httponly" in signed_in.headers["set-cookie"].lower()
    assert page.status_code == 200
    assert runs_world.ok_run in page.text and "review.publish" in page.text


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(runs_world: RunsWorld) -> None:
    with httpx.Client(base_url=runs_world.url) as browser:
        browser.post("/login", data={"token": TOKEN, "next": "/runs"})
        kept = browser.cookies["baton_session"]
        page = browser.get("/runs")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf is not None
        signed_out = browser.post("/logout", data={"csrf": csrf.group(1)})

    copied = httpx.get(f"{runs_world.url}/runs", cookies={"baton_session": kept})

    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login"
    assert copied.status_code == 401 and 'name="token"' in copied.text


def test_runs_are_listed_newest_first_and_filtered_by_repo_workflow_and_status(
    runs_world: RunsWorld,
) -> None:
    everything = listed(runs_world)

    assert everything.index(runs_world.approved_run) < everything.index(runs_world.ok_run)
    assert listed(runs_world, repo=OTHER_REPO) == [runs_world.other_run]
    assert runs_world.approved_run in listed(runs_world, workflow="breakdown")
    assert runs_world.ok_run not in listed(runs_world, workflow="breakdown")
    assert runs_world.failed_run in listed(runs_world, status="failed")
    assert runs_world.ok_run not in listed(runs_world, status="failed")


def test_runs_are_paginated_with_the_filters_kept(runs_world: RunsWorld) -> None:
    first = runs_world.get("/runs", repo=REPO, workflow="review", per_page="1")
    second = runs_world.get("/runs", repo=REPO, workflow="review", per_page="1", page="2")

    assert len(LISTED.findall(first.text)) == 1 and len(LISTED.findall(second.text)) == 1
    assert LISTED.findall(first.text) != LISTED.findall(second.text)
    older = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert older is not None
    assert "repo=octo/demo" in older.group(1).replace("%2F", "/") and "page=2" in older.group(1)


def test_untrusted_pull_request_text_is_shown_escaped(runs_world: RunsWorld) -> None:
    page = runs_world.get(f"/runs/{runs_world.failed_run}").text

    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_the_run_page_shows_the_approval_who_when_and_which_hash(runs_world: RunsWorld) -> None:
    page = runs_world.get(f"/runs/{runs_world.approved_run}").text

    approvals = page[page.index('id="approvals"') :]
    assert "approved" in approvals and "@maya" in approvals
    assert re.search(r"<code>[0-9a-f]{8}</code>", approvals)


def approval_comment_of(runs_world: RunsWorld, issue: int, run_id: str) -> str:
    marker = f"<!-- baton:approval {run_id} -->"
    [body] = [c.body for c in runs_world.world.github.comments(REPO, issue) if marker in c.body]
    return body


def test_cancelling_a_waiting_run_stops_it_and_its_check_run_says_so(runs_world: RunsWorld) -> None:
    run_id, issue = runs_world.waiting_breakdown()

    answer = runs_world.post(f"/runs/{run_id}/cancel")

    assert answer.status_code == 303
    assert runs_world.finished(run_id) == "cancelled"
    checks = [c for c in runs_world.world.github.check_runs(REPO) if c.external_id == run_id]
    assert [c.conclusion for c in checks] == ["cancelled"]
    assert run_id in listed(runs_world, status="cancelled")
    # The approval comment no longer invites a decision, and keeps the plan it showed.
    comment = approval_comment_of(runs_world, issue, run_id)
    assert "— cancelled" in comment and "can no longer be approved" in comment
    assert "waiting for approval" not in comment and "/approve" not in comment
    assert "baton:plan-start" in comment
    again = runs_world.post(f"/runs/{run_id}/cancel")
    assert again.status_code == 409 and "nothing to cancel" in again.text


def check_run_of(runs_world: RunsWorld, run_id: str) -> Any:
    [check] = [c for c in runs_world.world.github.check_runs(REPO) if c.external_id == run_id]
    return check


def test_forking_from_the_model_step_does_not_read_the_pull_request_again(
    runs_world: RunsWorld,
) -> None:
    github, llm = runs_world.world.github, runs_world.world.llm
    reads_before = len(github.requests_to("GET", "/pulls/5/files"))
    asked_before = len(llm.requests)
    original = check_run_of(runs_world, runs_world.ok_run)

    answer = runs_world.post(f"/runs/{runs_world.ok_run}/fork", step="2")

    fork = answer.headers["location"].rsplit("/runs/", 1)[1]
    assert answer.status_code == 303 and fork.startswith(runs_world.ok_run + ":attempt-")
    assert runs_world.finished(fork) == "succeeded"
    assert len(github.requests_to("GET", "/pulls/5/files")) == reads_before
    assert len(llm.requests) == asked_before + 1
    page = runs_world.get(f"/runs/{fork}").text
    assert page.count("reused from") == 2
    # The fork shows on a check run of its own; the original's is left as it was.
    assert check_run_of(runs_world, fork).id != original.id
    assert check_run_of(runs_world, runs_world.ok_run) == original
    assert fork in listed(runs_world)


def test_a_delivery_id_or_unknown_id_is_no_run(runs_world: RunsWorld) -> None:
    delivery = runs_world.ok_run.rsplit(":", 1)[0]  # DBOS knows it: the delivery's dispatch

    assert runs_world.get(f"/runs/{delivery}").status_code == 404
    assert runs_world.post(f"/runs/{delivery}/cancel").status_code == 404
    assert runs_world.get("/runs/no-such:run").status_code == 404
