"""`baton runs …` on the database a running `baton serve` uses (SQLite, shared with it)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from bot.cli import app
from tests.e2e.conftest import REPO
from tests.e2e.runs.conftest import OTHER_REPO, RunsWorld, database_url


def baton(runs: RunsWorld, *args: str) -> tuple[int, str]:
    """Run `baton ARGS` with the server's environment (its database, App and public URL)."""
    env = {k: v for k, v in runs.world.baton.env.items() if k.isupper()}
    result = CliRunner().invoke(app, list(args), env={**env, "DATABASE_URL": database_url(runs)})
    return result.exit_code, result.output


def ids(listing: str) -> list[str]:
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def test_runs_list_shows_runs_newest_first_and_filters_them(runs_world: RunsWorld) -> None:
    code, everything = baton(runs_world, "runs", "list")
    _, other = baton(runs_world, "runs", "list", "--repo", OTHER_REPO)
    _, failed = baton(runs_world, "runs", "list", "--status", "failed", "--limit", "50")

    assert code == 0
    listed = ids(everything)
    assert listed.index(runs_world.approved_run) < listed.index(runs_world.ok_run)
    assert ids(other) == [runs_world.other_run]
    assert runs_world.failed_run in ids(failed) and runs_world.ok_run not in ids(failed)


def test_runs_show_prints_the_steps_their_status_and_tokens(runs_world: RunsWorld) -> None:
    code, shown = baton(runs_world, "runs", "show", runs_world.ok_run)

    assert code == 0
    assert f"run {runs_world.ok_run}: succeeded" in shown
    assert re.search(rf"2\. review\.llm\s+succeeded\s+{runs_world.ok_tokens} tokens", shown)
    assert f"{runs_world.ok_tokens} tokens" in shown.splitlines()[4]
    assert f"/runs/{runs_world.ok_run}" in shown


def test_runs_retry_queues_an_attempt_the_server_runs_to_success(runs_world: RunsWorld) -> None:
    failed = runs_world.failed_review(8)

    code, said = baton(runs_world, "runs", "retry", failed, "--wait")

    assert code == 0, said
    assert f"{failed}:attempt-2: succeeded" in said
    assert len(runs_world.world.github.reviews(REPO, 8)) == 1


def test_runs_cancel_stops_a_waiting_run_and_a_second_cancel_is_refused(
    runs_world: RunsWorld,
) -> None:
    run_id, _ = runs_world.waiting_breakdown()

    code, said = baton(runs_world, "runs", "cancel", run_id)
    again, refused = baton(runs_world, "runs", "cancel", run_id)

    assert (code, said.strip()) == (0, f"cancelled {run_id}")
    assert runs_world.finished(run_id) == "cancelled"
    checks = [c for c in runs_world.world.github.check_runs(REPO) if c.external_id == run_id]
    assert [c.conclusion for c in checks] == ["cancelled"]
    assert again == 1 and "nothing to cancel" in refused


def test_an_unknown_run_is_an_error_that_names_it(runs_world: RunsWorld) -> None:
    code, said = baton(runs_world, "runs", "show", "no-such-delivery:review")

    assert code == 1
    assert "no run 'no-such-delivery:review'" in said
