"""`app.yml` asks GitHub for what Baton uses, and the manifest points GitHub back at Baton."""

from __future__ import annotations

import pytest

from bot.receive.payloads import PAYLOAD_MODELS
from bot.receive.route import USED_EVENTS
from bot.web.manifest import conversion_url, load_app_yml, manifest, registration_url

# GitHub sends these to every App and refuses them in a manifest's default_events.
ALWAYS_SENT = {"installation", "installation_repositories"}


def test_app_yml_subscribes_to_the_events_baton_acts_on_and_no_others() -> None:
    events = set(load_app_yml()["default_events"])
    assert events >= USED_EVENTS - ALWAYS_SENT
    assert events <= set(PAYLOAD_MODELS) - ALWAYS_SENT  # each one has a payload model


def test_each_event_has_the_permission_github_requires_for_it() -> None:
    app = load_app_yml()
    needs = {
        "check_run": "checks",
        "issue_comment": "issues",
        "issues": "issues",
        "pull_request": "pull_requests",
        "push": "contents",
    }
    assert {needs[event] for event in app["default_events"]} <= set(app["default_permissions"])


def test_manifest_sends_webhooks_and_the_return_to_this_baton() -> None:
    made = manifest("https://baton.example.com/", {"name": "Baton", "public": False})
    assert made == {
        "url": "https://baton.example.com",
        "name": "Baton",
        "public": False,
        "hook_attributes": {"url": "https://baton.example.com/webhooks", "active": True},
        "redirect_url": "https://baton.example.com/setup/callback",
    }


def test_registration_goes_to_the_account_or_the_organization() -> None:
    web = "https://ghe.example.com/"
    assert registration_url(web, "s1") == "https://ghe.example.com/settings/apps/new?state=s1"
    assert registration_url(web, "s1", "my-org") == (
        "https://ghe.example.com/organizations/my-org/settings/apps/new?state=s1"
    )
    for bad in ("../evil", "my-org\n", "my-org/x"):
        with pytest.raises(ValueError, match="not a GitHub organization name"):
            registration_url(web, "s1", bad)


def test_the_code_cannot_leave_its_path_segment() -> None:
    assert conversion_url("https://api.github.com", "a/../b?x") == (
        "https://api.github.com/app-manifests/a%2F..%2Fb%3Fx/conversions"
    )
