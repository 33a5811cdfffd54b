"""`extends: org/.github`: how an organisation's file merges under a repository's, and errors."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.config.extends import base_unavailable, extended_repo, load_extended
from bot.config.load import ConfigError


class NoInput(BaseModel):
    pass


class ApprovalInput(BaseModel):
    timeout: str = "7d"


STEPS: dict[str, type[BaseModel]] = {
    "pr.diff": NoInput,
    "review.checks": NoInput,
    "review.publish": NoInput,
    "approval": ApprovalInput,
}

ORG = """\
version: 1
llm:
  model: org-model
  budget: { tokens_per_run: 1000, tokens_per_pr: 5000 }
commands: { allowed: maintain }
workflows:
  review:
    on: [pull_request.opened, /review]
    paths: { exclude: ["dist/**"] }
    steps:
      - uses: pr.diff
      - uses: review.checks
      - uses: review.publish
  guard:
    on: [pull_request.opened]
    steps:
      - uses: review.checks
"""

REPO = """\
version: 1
extends: octo/.github
llm:
  budget: { tokens_per_run: 2000 }
workflows:
  review:
    on: [/review]
    steps:
      - uses: pr.diff
      - uses: review.publish
  lint:
    on: [/lint]
    steps:
      - uses: review.checks
"""


def load(repo: str = REPO, org: str = ORG) -> object:
    return load_extended(repo, org, base_repo="octo/.github", steps=STEPS)


def problems(repo: str = REPO, org: str = ORG) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(repo, org)
    return [str(problem) for problem in caught.value.problems]


def test_repo_settings_win_and_the_rest_come_from_the_org_file() -> None:
    config = load_extended(REPO, ORG, base_repo="octo/.github", steps=STEPS)

    assert config.llm.model == "org-model"
    assert config.llm.budget.tokens_per_run == 2000  # the repo's
    assert config.llm.budget.tokens_per_pr == 5000  # merged key by key: the org's
    assert config.commands.allowed == "maintain"
    assert config.extends == "octo/.github"


def test_workflows_merge_by_name_and_the_repos_replaces_the_orgs_wholesale() -> None:
    config = load_extended(REPO, ORG, base_repo="octo/.github", steps=STEPS)

    assert list(config.workflows) == ["review", "guard", "lint"]
    review = config.workflows["review"]
    assert [str(t) for t in review.on] == ["/review"]
    assert [s.uses for s in review.steps] == ["pr.diff", "review.publish"]
    assert review.paths.exclude == []  # not the org's: the workflow was replaced, not merged


def test_a_key_set_to_nothing_drops_the_orgs_workflow_or_setting() -> None:
    repo = "version: 1\nextends: octo/.github\nllm: { budget: ~ }\nworkflows: { guard: ~ }\n"

    config = load_extended(repo, ORG, base_repo="octo/.github", steps=STEPS)

    assert list(config.workflows) == ["review"]
    assert config.llm.budget.tokens_per_run == 200_000  # Baton's default, not the org's
    assert config.llm.model == "org-model"


def test_a_mistake_in_the_org_file_is_reported_in_that_file() -> None:
    org = ORG.replace("  model: org-model", "  modle: org-model")

    assert problems(org=org) == [
        "octo/.github:.github/baton.yml line 3, column 3: llm.modle: unknown key `modle` "
        "(did you mean `model`?)"
    ]


def test_an_unknown_step_in_an_org_workflow_points_into_the_org_file() -> None:
    org = ORG.replace("      - uses: review.checks\n", "      - uses: review.chekcs\n", 2)

    assert problems(org=org) == [
        "octo/.github:.github/baton.yml line 17, column 15: workflows.guard.steps[0].uses: "
        "unknown step `review.chekcs` (did you mean `review.checks`?)"
    ]  # the org's `review` workflow is replaced by the repo's, so its typo does not count


def test_mistakes_in_both_files_are_each_reported_in_their_own_file() -> None:
    org = ORG.replace("allowed: maintain", "allowed: everyone")
    repo = REPO.replace("on: [/lint]", "on: [/Lint]")

    found = problems(repo, org)

    assert len(found) == 2
    assert found[0].startswith(".github/baton.yml line 12, column 10: workflows.lint.on[0]")
    assert found[1].startswith("octo/.github:.github/baton.yml line 5, column 22: commands.allowed")


def test_an_org_file_that_extends_another_is_refused() -> None:
    org = "extends: octo/base\n" + ORG

    assert problems(org=org) == [
        "octo/.github:.github/baton.yml line 1, column 1: extends: an extended file cannot "
        "extend another (one level only); move those settings here"
    ]


def test_an_org_file_that_is_not_yaml_says_where() -> None:
    found = problems(org="version: 1\nllm: [unclosed\n")

    assert found[0].startswith("octo/.github:.github/baton.yml line 3, column 1:")


def test_extends_names_a_repository() -> None:
    assert extended_repo("version: 1\n") is None
    assert extended_repo("version: 1\nextends: octo/.github\n") == "octo/.github"
    with pytest.raises(ConfigError, match=r"line 2, column 10: extends: expected a repository"):
        extended_repo("version: 1\nextends: just-a-name\n")
    with pytest.raises(ConfigError, match="cannot extend its own repository"):
        extended_repo("version: 1\nextends: octo/demo\n", repo="octo/demo")


def test_an_unreadable_org_file_is_reported_at_the_extends_line() -> None:
    error = base_unavailable(REPO, "octo/.github", "has no `.github/baton.yml`")

    assert str(error) == (
        ".github/baton.yml line 2, column 10: extends: `octo/.github` has no "
        "`.github/baton.yml`; fix or remove `extends`"
    )
