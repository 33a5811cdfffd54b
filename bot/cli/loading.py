"""Reading the settings for a command: a bad one is named, with no traceback."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError

from bot.settings import Settings, describe_invalid_settings


def settings_or_exit(command: str, **overrides: Any) -> Settings:
    """The settings, or exit 2 after printing which ones are wrong and why."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        for line in describe_invalid_settings(error).splitlines():
            typer.echo(f"{command}: {line}", err=True)
        raise typer.Exit(2) from None
