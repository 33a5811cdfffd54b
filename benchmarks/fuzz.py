"""Fuzzing what strangers, repositories and maintainers reach, at volume: how many generated
inputs each surface took, and how many got a 5xx, hung, crashed or were answered wrongly.

The same strategies and checks as tests/fuzz (which run a few hundred cases in CI), here with
10,000 by default: webhook bodies through the payload parser and whole deliveries (signed and
not) through `POST /webhooks`; repository configs through the loader; plan comments through
each plan format, and valid plans rendered and read back; the sign-in form; the set-up pages
(as a stranger and as the operator's browser); and the HTTP API from Baton's own OpenAPI
document (schemathesis), with the admin token and without, plus run requests that start runs.
The app is Baton's real one, bootstrap's wiring with DBOS on a SQLite file and the fake GitHub,
on uvicorn over loopback. A case that takes longer than --timeout is a hang. Exits 1 if any case
failed.

Usage: python -m benchmarks.fuzz [--cases 10000] [--timeout 5] [--seed 0] [--record]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from benchmarks.fuzz_tally import KINDS, Hang, Tally, alarm, report
from benchmarks.report import append, table
from tests.fuzz import surfaces
from tests.fuzz.api_inputs import api_cases, run_requests
from tests.fuzz.http_inputs import (
    Request,
    payload_bodies,
    setup_requests,
    sign_in_requests,
    webhook_requests,
)
from tests.fuzz.text_inputs import PLAN_FORMATS, config_texts, plan_texts, valid_plans
from tests.fuzz.world import REPO, SECRET, SETUP_TOKEN, TOKEN, WORKFLOW, served_baton, served_setup

Check = Callable[[Any], surfaces.Outcome]


@dataclass(frozen=True)
class Surface:
    name: str
    share: int  # cases per 10,000
    inputs: st.SearchStrategy[Any]
    check: Check


def parser_surfaces(timeout: float) -> list[Surface]:
    found = [
        Surface("webhook payloads (parser)", 1500, payload_bodies(),
                lambda sent: surfaces.payload(*sent, timeout)),
        Surface("repository config (loader)", 1500, config_texts(),
                lambda text: surfaces.config(text, timeout)),
    ]  # fmt: skip
    for name in PLAN_FORMATS:
        found.append(
            Surface(f"plan comment: {name}", 500, plan_texts(name),
                    lambda text, name=name: surfaces.plan(name, text, timeout))
        )  # fmt: skip
        found.append(
            Surface(f"plan round trip: {name}", 250, valid_plans(name),
                    lambda plan, name=name: surfaces.round_trip(name, plan, timeout))
        )  # fmt: skip
    return found


def baton_surfaces(url: str, app: Any, client: httpx.Client, timeout: float) -> list[Surface]:
    api = api_cases(app.openapi())

    def sent(request: Request) -> surfaces.Outcome:
        return surfaces.answered(client, request, timeout)

    def api_call(token: str | None) -> Check:
        return lambda case: surfaces.api_answered(case, url, token, timeout)[0]

    def started(request: tuple[bytes, str | None]) -> surfaces.Outcome:
        return surfaces.run_started(client, *request, token=TOKEN, timeout=timeout)

    return [
        Surface("POST /webhooks", 1500, webhook_requests(SECRET), sent),
        Surface("/login", 750, sign_in_requests(TOKEN), sent),
        Surface("/api (OpenAPI), with the token", 750, api, api_call(TOKEN)),
        Surface("/api (OpenAPI), without it", 500, api, api_call(None)),
        Surface("POST /api/runs, runs started", 500, run_requests(REPO, WORKFLOW), started),
    ]


def setup_surfaces(client: httpx.Client, timeout: float) -> list[Surface]:
    def sent(request: Request) -> surfaces.Outcome:
        return surfaces.answered(client, request, timeout)

    return [Surface("set-up pages (/, /setup/callback)", 750, setup_requests(SETUP_TOKEN), sent)]


def fuzz(surface: Surface, scale: float, args: argparse.Namespace) -> Tally:
    """Run one surface's share of the cases; every outcome is counted, none stops the run."""
    tally = Tally(surface.name)
    options = settings(
        max_examples=max(1, round(surface.share * scale)),
        phases=[Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    def one(value: Any) -> None:
        try:  # each check counts a case slower than the timeout as a hang by itself; the alarm
            with alarm(args.timeout * 1.5):  # stops one looping in Python
                outcome = surface.check(value)
        except Hang:
            outcome = surfaces.Outcome("hang", f"still running after {args.timeout * 1.5:g} s")
        tally.add(outcome)

    seed(args.seed)(options(given(surface.inputs)(one)))()
    print(f"  {tally.line()}", flush=True)
    return tally


@contextmanager
def served(workdir: Path) -> Iterator[tuple[Any, httpx.Client, httpx.Client]]:
    with ExitStack() as stack:
        baton = stack.enter_context(served_baton(workdir / "baton"))
        setup = stack.enter_context(served_setup(workdir / "setup"))
        client = stack.enter_context(httpx.Client(base_url=baton.url))
        yield baton, client, stack.enter_context(httpx.Client(base_url=setup.url))


def run(args: argparse.Namespace) -> list[Tally]:
    scale = args.cases / 10_000
    tallies = [fuzz(surface, scale, args) for surface in parser_surfaces(args.timeout)]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "baton").mkdir()
        (Path(folder) / "setup").mkdir()
        with served(Path(folder)) as (baton, client, setup_client):
            # uvicorn logs each request it cannot parse (set once its servers have started).
            logging.getLogger("uvicorn.error").setLevel(logging.ERROR)
            http = baton_surfaces(baton.url, baton.app, client, args.timeout)
            http += setup_surfaces(setup_client, args.timeout)
            tallies += [fuzz(surface, scale, args) for surface in http]
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000, help="in all, shared by surface")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds; longer is a hang")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    # schemathesis's generators call `random` themselves (Hypothesis seeds it anyway).
    warnings.filterwarnings("ignore", "Do not use the `random` module")
    started = time.monotonic()
    tallies = run(args)
    rows = [tally.row() for tally in tallies]
    total = Tally.total(tallies)
    rows.append(total.row())
    print("\n" + table(rows) + "\n\n" + report(tallies, time.monotonic() - started))
    if args.record:
        append(
            "Fuzzing: what strangers reach", rows, f"Seed {args.seed}, timeout {args.timeout:g} s."
        )
    sys.exit(1 if any(total.counts[kind] for kind in KINDS) else 0)


if __name__ == "__main__":
    main()
