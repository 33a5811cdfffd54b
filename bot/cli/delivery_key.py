"""`baton delivery-secret`: print the key result deliveries are signed with, for a receiver."""

from __future__ import annotations

import typer


def delivery_secret() -> None:
    """Print the key that signs result deliveries (`X-Baton-Signature-256`), for receivers.

    BATON_DELIVERY_SECRET when it is set; otherwise a key derived from GITHUB_WEBHOOK_SECRET
    (hex HMAC-SHA256 of "baton result delivery"), which cannot sign webhooks to Baton.
    """
    from bot.cli.loading import settings_or_exit
    from bot.settings import SettingsError

    settings = settings_or_exit("baton delivery-secret")
    try:
        typer.echo(settings.delivery_secret())
    except SettingsError as problem:
        typer.echo(f"baton delivery-secret: {problem}", err=True)
        raise typer.Exit(2) from None
