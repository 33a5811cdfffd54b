"""`baton review URL [--dry-run]`: try Baton's review on any pull request without the App."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bot.engine.runner import PlannedStep


class StepProgress:
    """A spinner per step on a terminal's stderr, and a line per finished step; stdout stays
    the review alone, so it can be piped or saved."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def __call__(self, step: PlannedStep) -> Iterator[object]:
        if self.console.is_terminal:
            with self.console.status(f"{step.uses}…"):
                yield None
        else:
            yield None
        self.console.print(f"done: {step.uses}", highlight=False)


def review(
    url: Annotated[
        str, typer.Argument(help="The pull request: https://github.com/OWNER/REPO/pull/NUMBER.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the review instead of posting it.")
    ] = False,
) -> None:
    """Review one pull request now, as the user of GITHUB_TOKEN, with the repository's config.

    With --dry-run nothing is written to GitHub: the review and summary are printed instead.
    """
    from bot.cli.loading import settings_or_exit
    from bot.local.report import dry_run_report, posted_report
    from bot.local.review import ReviewProblem, parse_pull_url, review_pull
    from bot.local.run import StepFailure

    stderr = Console(stderr=True)
    try:
        target = parse_pull_url(url)
        progress = StepProgress(stderr)
        settings = settings_or_exit("baton review")
        result = asyncio.run(review_pull(settings, target, dry_run=dry_run, around=progress))
    except ReviewProblem as problem:
        typer.echo(f"baton review: {problem}", err=True)
        raise typer.Exit(2) from None
    except StepFailure as failure:
        typer.echo(f"baton review: {failure}", err=True)
        raise typer.Exit(1) from None
    if result.config_warning:
        typer.echo(f"baton review: warning: {result.config_warning}", err=True)
    report = dry_run_report if dry_run else posted_report
    typer.echo(report(target, result), nl=False)
