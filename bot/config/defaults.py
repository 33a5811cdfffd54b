"""The configuration that runs in a repository with no `.github/baton.yml`."""

from __future__ import annotations

from functools import cache

from bot.config.load import load_config_unchecked
from bot.config.model import BatonConfig

DEFAULT_PATH = "(Baton's defaults)"

# Written as the YAML a user would write, so it reads like the documentation and goes through
# the same checks. Files that are generated, vendored or locked are not worth a reviewer's time.
# The `draft` (/draft) and `breakdown` (/breakdown) workflows join here once their steps exist.
DEFAULT_CONFIG_YAML = """\
version: 1
workflows:
  review:
    description: "Review pull requests: deterministic checks, then an LLM review."
    on: [pull_request.opened, pull_request.synchronize, pull_request.ready_for_review, /review]
    paths:
      exclude:
        - "**/*.lock"
        - "**/package-lock.json"
        - "**/npm-shrinkwrap.json"
        - "**/pnpm-lock.yaml"
        - "**/go.sum"
        - "**/*.min.js"
        - "**/*.min.css"
        - "**/*.map"
        - "**/dist/**"
        - "**/vendor/**"
        - "**/node_modules/**"
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.llm
        prompt: review
      - uses: review.publish
  draft:
    description: "Plan a change for an issue, and after approval open it as a draft PR."
    on: [/draft, issues.labeled:baton-draft]
    steps:
      - uses: issue.read
      - uses: draft.plan
        prompt: draft-plan
      - uses: approval
        with: { from: maintain, timeout: 7d }
      - uses: draft.write
        prompt: draft-write
      - uses: draft.approve_diff
        with: { from: maintain, timeout: 7d }
      - uses: draft.open_pr
  breakdown:
    description: "Split an issue into sub-issues, after a maintainer approves the plan."
    on: [/breakdown]
    steps:
      - uses: issue.read
      - uses: breakdown.propose
        prompt: breakdown
      - uses: approval
        with: { from: maintain, timeout: 7d }
      - uses: breakdown.create
"""


@cache
def _parsed() -> BatonConfig:
    # Step names are not checked: the step modules register later, and tests cover that every
    # default step exists once they have.
    return load_config_unchecked(DEFAULT_CONFIG_YAML, path=DEFAULT_PATH)


def default_config() -> BatonConfig:
    """A fresh copy of the defaults, so a caller can't change them for everyone."""
    return _parsed().model_copy(deep=True)
