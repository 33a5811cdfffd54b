"""`deliver: {webhook: URL}` and schedules with seconds, as `.github/baton.yml` reads them."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.config.load import ConfigError, load_config
from bot.config.model import Trigger, config_json_schema


class NoInput(BaseModel):
    pass


STEPS: dict[str, type[BaseModel]] = {"issue.read": NoInput}
WORKFLOW = """\
version: 1
workflows:
  triage:
    on: [api]
    steps: [{{uses: issue.read}}]
    deliver: {{webhook: {url}}}
"""


def test_a_workflow_names_where_its_result_is_delivered() -> None:
    config = load_config(WORKFLOW.format(url="https://hooks.example.com/baton"), steps=STEPS)

    deliver = config.workflows["triage"].deliver
    assert deliver is not None and str(deliver.webhook) == "https://hooks.example.com/baton"


def test_a_delivery_url_that_is_not_http_is_refused_with_its_line() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(WORKFLOW.format(url="ftp://hooks.example.com"), steps=STEPS)

    problem = str(raised.value.problems[0])
    assert problem.startswith(".github/baton.yml line 6")
    assert "workflows.triage.deliver.webhook" in problem


def test_the_schema_describes_deliver_for_editors() -> None:
    workflow = config_json_schema()["$defs"]["Deliver"]

    assert workflow["properties"]["webhook"]["format"] == "uri"
    assert "X-Baton-Signature-256" in workflow["properties"]["webhook"]["description"]


@pytest.mark.parametrize("cron", ["* * * * * *", "*/10 * * * * *", "30 0 9 * * MON"])
def test_a_sixth_field_first_gives_seconds(cron: str) -> None:
    assert Trigger.parse(f'schedule:"{cron}"').cron == cron


@pytest.mark.parametrize("cron", ["0 25 * * *", "61 * * * * *", "* * * * * * *"])
def test_a_cron_out_of_range_or_too_long_is_refused(cron: str) -> None:
    with pytest.raises(ValueError, match="is not a cron schedule"):
        Trigger.parse(f'schedule:"{cron}"')
