"""`baton run WORKFLOW --repo O/R`: start a workflow through the HTTP API of a running Baton.

It talks to `BATON_URL` with `BATON_ADMIN_TOKEN`, as any other client of the API would, so the
run is durable in that Baton, not in this terminal; `--wait` follows it to its end.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console

from bot.api.models import RunAccepted, RunRequest, RunView

POLL_SECONDS = 1.0
OK = ("succeeded", "neutral")


def input_value(text: str) -> str | int | float | bool:
    """`3` is a number, `true` a boolean and `"3"` text (as in JSON); anything else is text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, bool | int | float | str) else text


def parse_inputs(pairs: list[str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"`{pair}`: write NAME=VALUE", param_hint="--input")
        inputs[name.strip()] = input_value(value)
    return inputs


def build_request(
    workflow: str, repo: str, issue: int | None, pr: int | None, pairs: list[str]
) -> RunRequest:
    if issue is not None and pr is not None:
        raise typer.BadParameter("give --issue or --pr, not both")
    subject = {"issue": issue} if issue is not None else {"pull": pr} if pr is not None else None
    data = {"repo": repo, "workflow": workflow, "subject": subject, "inputs": parse_inputs(pairs)}
    try:
        return RunRequest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors()
        )
        raise typer.BadParameter(problems) from None


def refused(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    typer.echo(f"baton run: {response.status_code}: {detail}", err=True)
    raise typer.Exit(1)


def follow(client: httpx.Client, url: str, console: Console) -> RunView:
    with console.status("queued…") as spinner:
        while True:
            response = client.get(url)
            refused(response)
            view = RunView.model_validate(response.json())
            if view.finished:
                return view
            done = sum(1 for step in view.steps if step.status == "succeeded")
            spinner.update(f"{view.status}: {done} of {len(view.steps)} steps done")
            time.sleep(POLL_SECONDS)


def show(view: RunView, console: Console) -> None:
    console.print(f"{view.status}" + (f": {view.headline}" if view.headline else ""))
    for link in view.links:
        console.print(f"  {link.name}: {link.url}")


def run(
    workflow: Annotated[str, typer.Argument(help="The workflow's name in .github/baton.yml.")],
    repo: Annotated[str, typer.Option(help="The repository, owner/name.")],
    issue: Annotated[int | None, typer.Option(help="Run on this issue.")] = None,
    pr: Annotated[int | None, typer.Option(help="Run on this pull request (its head).")] = None,
    inputs: Annotated[
        list[str] | None, typer.Option("--input", help="NAME=VALUE for the steps; repeatable.")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the run until it ends.")] = False,
) -> None:
    """Start a workflow (one with `api` in its `on:`) on a running Baton; print the run id."""
    from bot.cli.loading import settings_or_exit

    request = build_request(workflow, repo, issue, pr, inputs or [])
    settings = settings_or_exit("baton run")
    token = settings.baton_admin_token.get_secret_value() if settings.baton_admin_token else ""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    base = settings.baton_url.rstrip("/")
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        try:
            response = client.post("/api/runs", json=request.model_dump(mode="json"))
        except httpx.TransportError as exc:
            typer.echo(f"baton run: no Baton answers at {base} (BATON_URL): {exc}", err=True)
            raise typer.Exit(1) from None
        refused(response)
        started = RunAccepted.model_validate(response.json())
        typer.echo(started.id)
        if wait:
            console = Console(stderr=True)
            view = follow(client, f"/api/runs/{started.id}", console)
            show(view, Console())
            raise typer.Exit(0 if view.status in OK else 1)
