"""Cron expressions as DBOS's scheduler reads them: five fields, or six with seconds first."""

from __future__ import annotations

from croniter import croniter  # type: ignore[import-untyped]  # DBOS's own cron library


def cron_is_valid(cron: str) -> bool:
    """Whether DBOS can schedule `cron` (it reads a six-field cron as seconds first)."""
    return bool(croniter.is_valid(cron, second_at_beginning=True))
