"""What an operator watches, through a real `baton serve`: /metrics after a review, and log
lines as JSON objects that name their delivery and run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import INSTALLATION, REPO, World, pr_event, running_world
from tests.fakes.github import Reply, Seen

METRICS_TOKEN = "metrics-e2e-token-0123456789"
APP = "\n".join(f"line {n}" for n in range(1, 11)) + "\n"
DELIVERY = "d-operations-1"


def with_rate_limit(seen: Seen, reply: Reply) -> Reply:
    """GitHub's rate-limit headers, which the real API puts on every answer."""
    limits = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4321"}
    limits["x-ratelimit-resource"] = "core"
    return Reply(reply.status, reply.body, {**reply.headers, **limits})


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world in which one pull request was reviewed (and its delivery sent twice)."""
    workdir = tmp_path_factory.mktemp("operations")
    env = {"BATON_METRICS_TOKEN": METRICS_TOKEN, "BATON_LOG_LEVEL": "INFO"}
    with running_world(workdir, BATON_LOG_FORMAT="json", **env) as world:
        world.github.after_hooks.append(with_rate_limit)
        world.github.add_repo(REPO, installation_id=INSTALLATION, files={"src/app.py": APP})
        head = world.github.add_pull(REPO, number=5, head_files={"src/app.py": APP + "x\n"})
        world.llm.respond_with(lambda request: {"summary": "Adds a line.", "findings": []})
        assert world.send("pull_request", pr_event("opened", 5, head), DELIVERY).status_code == 202
        world.finished_check(head)
        assert world.send("pull_request", pr_event("opened", 5, head), DELIVERY).status_code == 202
        unsigned = world.baton.send("pull_request", pr_event("opened", 5, head), "wrong-secret")
        assert unsigned.status_code == 401
        yield world


def scrape(world: World) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(
        f"{world.baton.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_metrics_count_the_delivery_the_run_its_steps_and_tokens(reviewed: World) -> None:
    def finished() -> dict[Any, float] | None:
        samples = scrape(reviewed)
        done = value(samples, "baton_runs", workflow="review", status="succeeded")
        return samples if done else None

    samples = reviewed.wait_for(finished, what="the finished review in baton_runs")
    deliveries = "baton_webhook_deliveries_total"
    assert value(samples, deliveries, event="pull_request", outcome="accepted") == 1
    assert value(samples, deliveries, event="pull_request", outcome="duplicate") == 1
    assert value(samples, deliveries, event="", outcome="bad_signature") == 1
    assert value(samples, "baton_runs", workflow="review", status="succeeded") == 1
    [request] = reviewed.llm.requests
    tokens = "baton_llm_tokens_total"
    assert value(samples, tokens, model=request.model, kind="input") == request.input_tokens > 0
    assert value(samples, tokens, model=request.model, kind="output") == request.output_tokens
    assert value(samples, "baton_step_duration_seconds_count", step="review.llm") == 1
    assert value(samples, "baton_step_duration_seconds_count", step="pr.diff") == 1
    remaining = "baton_github_rate_limit_remaining"
    assert value(samples, remaining, client=str(INSTALLATION), resource="core") == 4321
    assert value(samples, "baton_database_up") == 1


def test_metrics_want_the_token_when_one_is_set(reviewed: World) -> None:
    assert httpx.get(f"{reviewed.baton.url}/metrics").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.get(f"{reviewed.baton.url}/metrics", headers=wrong).status_code == 401


def json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_log_lines_are_json_objects_naming_their_delivery_and_run(reviewed: World) -> None:
    log = reviewed.baton.log_path
    run_id = f"{DELIVERY}:review"
    finished = reviewed.wait_for(
        lambda: [
            line
            for line in json_lines(log)
            if line.get("run_id") == run_id and line["logger"] == "baton.runner"
        ],
        what="the run's own log line",
    )
    assert [line["message"] for line in finished] == ["run finished: succeeded"]  # once
    assert finished[-1]["delivery_id"] == DELIVERY
    assert {"time", "level", "logger", "message"} <= set(finished[-1])
    stored = [line for line in json_lines(log) if line["message"] == "delivery stored"]
    assert [line["delivery_id"] for line in stored] == [DELIVERY]
    other = [line for line in log.read_text().splitlines() if not line.startswith("{")]
    assert other == []
