"""Webhook payloads become the small `Event` dispatch works from, for all of GitHub's examples."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from bot.dispatch.events import Event
from bot.ports.github import PullRequest
from bot.receive.payloads import PayloadError, event_from_body, to_event
from tests.payloads import REMOVE, example_payloads, payload

DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958"


def _numbered_examples() -> list[Any]:
    seen: Counter[str] = Counter()
    cases = []
    for name, example in example_payloads():
        cases.append(pytest.param(name, example, id=f"{name}-{seen[name]}"))
        seen[name] += 1
    return cases


@pytest.mark.parametrize(("event_name", "example"), _numbered_examples())
def test_every_github_example_payload_becomes_an_event(
    event_name: str, example: dict[str, Any]
) -> None:
    event = to_event(event_name, DELIVERY, example)

    assert event.kind == event_name
    assert event.delivery_id == DELIVERY
    assert event.action == example.get("action", "")


def test_a_pull_request_opened_gives_number_head_repo_and_installation() -> None:
    body = payload(
        "pull_request",
        "opened",
        **{"pull_request.number": 7, "repository.full_name": "o/r", "installation.id": 42},
    )

    event = to_event("pull_request", DELIVERY, body)

    assert event.model_copy(update={"pull": None}) == Event(
        delivery_id=DELIVERY,
        kind="pull_request",
        action="opened",
        repo="o/r",
        default_branch="master",
        installation_id=42,
        sender="Codertocat",
        subject="pull_request",
        number=7,
        head_sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821",
    )


def test_a_pull_request_delivery_carries_the_pull_as_get_pull_would_read_it() -> None:
    body = payload("pull_request", "opened", **{"pull_request.number": 7})

    pull = to_event("pull_request", DELIVERY, body).pull

    assert pull == PullRequest(
        number=7,
        title="Update the README with new information.",
        body="This is a pretty simple change that we need to pull into master.",
        state="open",
        draft=False,
        author="Codertocat",
        head_sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821",
        head_ref="changes",
        base_ref="master",
        base_sha="f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
        html_url="https://github.com/Codertocat/Hello-World/pull/2",
        comments=0,
    )


@pytest.mark.parametrize("missing", ["pull_request.title", "pull_request.base.ref"])
def test_a_pull_request_delivery_lacking_a_field_of_the_pull_carries_none(missing: str) -> None:
    body = payload("pull_request", "opened", **{missing: REMOVE})

    event = to_event("pull_request", DELIVERY, body)

    assert (event.number, event.pull) == (2, None)


def test_only_pull_request_deliveries_carry_the_pull() -> None:
    link = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    body = payload("issue_comment", "created", **{"issue.pull_request": link})
    review = payload("pull_request_review", "submitted")

    assert to_event("issue_comment", DELIVERY, body).pull is None
    assert to_event("pull_request_review", DELIVERY, review).pull is None


def test_a_draft_pull_request_is_marked_draft() -> None:
    event = to_event("pull_request", DELIVERY, payload("pull_request", "converted_to_draft"))

    assert event.draft


def test_a_comment_on_a_pull_request_has_the_pull_request_as_subject() -> None:
    # None of GitHub's issue_comment examples is on a PR; a PR's issue carries this link object.
    link = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    body = payload(
        "issue_comment", "created", **{"issue.pull_request": link, "comment.body": "/review"}
    )

    event = to_event("issue_comment", DELIVERY, body)

    assert (event.subject, event.number) == ("pull_request", 1)
    assert (event.comment_id, event.comment_body) == (492700400, "/review")


def test_a_comment_on_an_issue_has_the_issue_as_subject() -> None:
    event = to_event("issue_comment", DELIVERY, payload("issue_comment", "created"))

    assert (event.subject, event.number, event.comment_id) == ("issue", 1, 492700400)


def test_an_issues_event_about_a_pull_request_has_the_pull_request_as_subject() -> None:
    # GitHub sends milestone changes on a PR as `issues` events whose issue links the PR.
    event = to_event("issues", DELIVERY, payload("issues", "milestoned"))

    assert (event.subject, event.number) == ("pull_request", 2)


@pytest.mark.parametrize(
    ("login", "kind"),
    [("baton-app[bot]", "Bot"), ("renovate[bot]", "User"), ("some-app", "Bot")],
)
def test_a_bot_sender_is_flagged(login: str, kind: str) -> None:
    body = payload("issue_comment", "created", **{"sender.login": login, "sender.type": kind})

    event = to_event("issue_comment", DELIVERY, body)

    assert event.sender == login
    assert event.sender_is_bot


def test_a_person_or_an_organization_is_not_flagged_as_a_bot() -> None:
    person = to_event("issues", DELIVERY, payload("issues", "opened"))
    organization = to_event("fork", DELIVERY, payload("fork"))

    assert (person.sender_is_bot, organization.sender_is_bot) == (False, False)


def test_only_the_app_senders_in_githubs_examples_are_flagged_as_bots() -> None:
    events = [to_event(name, DELIVERY, example) for name, example in example_payloads()]

    flagged = {event.sender for event in events if event.sender_is_bot}

    assert flagged == {"octocoders-linter[bot]", "renovate[bot]"}


@pytest.mark.parametrize("event_name", ["issues", "pull_request"])
def test_a_labeled_event_gives_the_label(event_name: str) -> None:
    body = payload(event_name, "labeled", **{"label.name": "baton-draft"})

    assert to_event(event_name, DELIVERY, body).label == "baton-draft"


def test_an_event_that_is_not_about_labels_has_no_label() -> None:
    event = to_event("label", DELIVERY, payload("label", "created"))

    assert event.label == ""


def test_a_check_run_on_a_pull_request_gives_its_number_and_head() -> None:
    event = to_event("check_run", DELIVERY, payload("check_run", "rerequested"))
    on_pr = to_event("check_run", DELIVERY, payload("check_run", "completed"))

    assert (event.subject, event.number, event.head_sha[:7]) == ("none", None, "d6fde92")
    assert (on_pr.subject, on_pr.number, on_pr.head_sha[:7]) == ("pull_request", 2, "ec26c3e")


def test_a_review_comment_gives_the_pull_request_number_and_head() -> None:
    event = to_event(
        "pull_request_review_comment", DELIVERY, payload("pull_request_review_comment")
    )

    assert (event.subject, event.number, event.head_sha[:7]) == ("pull_request", 2, "ec26c3e")


def test_an_installation_event_gives_the_installation_without_a_repository() -> None:
    event = to_event("installation", DELIVERY, payload("installation", "created"))

    assert (event.installation_id, event.repo, event.subject) == (957387, "", "none")


@pytest.mark.parametrize("not_an_object", [[], "text", 3, None])
def test_a_payload_that_is_not_a_json_object_is_refused(not_an_object: Any) -> None:
    with pytest.raises(PayloadError, match="ping payload: expected a JSON object"):
        to_event("ping", DELIVERY, not_an_object)


def test_a_pull_request_payload_without_its_pull_request_names_the_field() -> None:
    body = payload("pull_request", "opened", pull_request=REMOVE)

    with pytest.raises(PayloadError, match=r"^pull_request payload: pull_request is missing$"):
        to_event("pull_request", DELIVERY, body)


def test_a_pull_request_payload_without_a_number_names_the_nested_field() -> None:
    body = payload("pull_request", "opened", **{"pull_request.number": REMOVE})

    with pytest.raises(
        PayloadError, match=r"pull_request payload: pull_request\.number is missing"
    ):
        to_event("pull_request", DELIVERY, body)


@pytest.mark.parametrize(
    ("event_name", "field"),
    [
        ("issues", "issue"),
        ("issue_comment", "comment"),
        ("check_run", "check_run"),
        ("installation", "installation"),
        ("pull_request", "repository"),
    ],
)
def test_an_event_baton_acts_on_refuses_a_payload_missing_what_it_needs(
    event_name: str, field: str
) -> None:
    with pytest.raises(PayloadError, match=f"{event_name} payload: {field} is missing"):
        to_event(event_name, DELIVERY, payload(event_name, **{field: REMOVE}))


def test_an_event_baton_does_not_act_on_never_raises_on_odd_fields() -> None:
    body = payload("release", repository=None, installation={"id": "x"}, sender=[1])
    body["action"] = 3

    event = to_event("release", DELIVERY, body)

    assert (event.repo, event.installation_id, event.sender, event.action) == ("", None, "", "")


def test_an_unknown_event_becomes_a_minimal_event() -> None:
    event = to_event("some_future_event", DELIVERY, {"action": "done"})

    assert (event.kind, event.action, event.subject) == ("some_future_event", "done", "none")


def test_payload_helper_overrides_only_the_named_fields() -> None:
    body = payload(
        "pull_request", "opened", **{"pull_request.number": 7, "repository.full_name": "o/r"}
    )

    assert body["pull_request"]["number"] == 7
    assert body["repository"]["full_name"] == "o/r"
    assert body["pull_request"]["head"]["sha"] == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert payload("pull_request", "opened")["pull_request"]["number"] == 2


@pytest.mark.parametrize(("event_name", "example"), _numbered_examples())
def test_the_raw_body_reads_to_the_same_event_as_the_parsed_payload(
    event_name: str, example: dict[str, Any]
) -> None:
    body = json.dumps(example).encode()

    assert event_from_body(event_name, DELIVERY, body) == to_event(event_name, DELIVERY, example)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{nope", r"^pull_request payload is not JSON: "),
        (b"[1, 2]", r"^pull_request payload: expected a JSON object$"),
        (b'{"action": "opened"}', r"pull_request payload: repository is missing"),
    ],
)
def test_a_raw_body_that_is_no_payload_says_what_is_wrong(body: bytes, says: str) -> None:
    with pytest.raises(PayloadError, match=says):
        event_from_body("pull_request", DELIVERY, body)
