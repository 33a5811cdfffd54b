"""The run pages in headless Chromium (Debian's, driven by Playwright): read a finished review,
and retry a failed one from its page. Full-page screenshots go to tests/artifacts/run-pages/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import REPO
from tests.e2e.runs.conftest import TOKEN, RunsWorld, artifacts

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, runs_world: RunsWorld) -> Iterator[Page]:
    """A signed-in tab: the login form, filled with the admin token, as a person would."""
    context = browser.new_context(base_url=runs_world.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto("/runs")
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.get_by_label("Admin token").fill(TOKEN)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Runs")).to_be_visible()
    yield tab
    context.close()


def screenshot(tab: Page, name: str) -> None:
    tab.screenshot(path=str(artifacts() / name), full_page=True)


def test_a_finished_review_shows_each_steps_input_and_output_and_its_tokens(
    page: Page, runs_world: RunsWorld
) -> None:
    screenshot(page, "runs-list.png")
    page.locator(f'tr[data-run-id="{runs_world.ok_run}"] a').click()

    expect(page.locator("#run-status")).to_have_text("succeeded")
    steps = page.locator("#steps > li.step")
    expect(steps).to_have_count(4)
    for n in range(4):
        step = steps.nth(n)
        for part in ("Input", "Output"):
            step.get_by_text(part, exact=True).click()
            expect(step.locator(f"details.{part.lower()} pre")).to_be_visible()
            expect(step.locator(f"details.{part.lower()} pre")).to_contain_text('"')
    expect(steps.nth(0)).to_contain_text('"number": 5')
    expect(steps.nth(2)).to_contain_text('"llm_findings"')
    expect(page.locator("#tokens")).to_contain_text(str(runs_world.ok_tokens))
    expect(steps.nth(2).locator(".tokens")).to_have_text(f"{runs_world.ok_tokens} tokens")
    expect(page.locator("#links")).to_contain_text("issuecomment")
    screenshot(page, "finished-review-run.png")


def test_a_failed_review_is_retried_from_its_page_and_succeeds(
    page: Page, runs_world: RunsWorld
) -> None:
    failed = runs_world.failed_review(7)
    page.goto(f"/runs/{failed}")
    expect(page.locator("#run-status")).to_have_text("failed")
    expect(page.locator("#step-2 .step-error")).to_contain_text("did not fit")
    screenshot(page, "failed-review-run.png")

    page.get_by_role("button", name="Retry from step 2").click()

    expect(page.locator("#run-id")).to_have_text(f"{failed}:attempt-2")
    runs_world.world.wait_for(lambda: reload_until_over(page), what="the retry to end")
    expect(page.locator("#run-status")).to_have_text("succeeded")
    expect(page.locator("#forked-from")).to_have_text(failed)
    assert len(runs_world.world.github.reviews(REPO, 7)) == 1
    screenshot(page, "retried-review-run.png")


def test_the_pages_look_as_designed_under_their_content_security_policy(
    page: Page, runs_world: RunsWorld
) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)

    shown = page.goto(f"/runs/{runs_world.ok_run}")

    assert shown is not None
    assert "default-src 'none'" in shown.headers["content-security-policy"]
    expect(page.locator("header")).to_have_css("display", "flex")  # base.css was applied
    expect(page.locator("#run-status")).to_have_css("background-color", "rgb(218, 251, 225)")
    page.reload()
    assert refused == []


def reload_until_over(tab: Page) -> bool:
    tab.reload()
    return tab.locator("#run-status").inner_text() not in ("queued", "running")
