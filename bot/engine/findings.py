"""What a run's record says beyond its steps: the GitHub objects it made and the approvals given."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.engine.record import RunRecord


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Approval:
    step: int
    decision: str
    by: str
    at: float
    hash: str
    reason: str


def is_web_url(value: object) -> bool:
    """Only http(s) links become hrefs: step outputs carry untrusted text."""
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


def _urls(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(where, url) for every `…url` field, at any depth, that holds a web address."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).endswith("url") and is_web_url(item):
                yield where, item
            else:
                yield from _urls(item, where)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _urls(item, f"{path}[{n}]")


def github_links(record: RunRecord) -> list[Link]:
    """The check run, and what the steps' outputs point at (comments, reviews, issues, PRs).

    Only fields named `…url` count: a URL inside a review's or plan's text is not something
    the run made. The run's own page (`run_url`) is left out.
    """
    links: dict[str, Link] = {}
    if is_web_url(record.check_run_url):
        links[record.check_run_url] = Link("check run", record.check_run_url)
    for step in record.steps:
        for where, url in _urls(step.output or {}, ""):
            if where.endswith("run_url") or url in links:
                continue
            links[url] = Link(f"{step.uses}: {where}", url)
    return list(links.values())


def approvals(record: RunRecord) -> list[Approval]:
    """Decisions recorded by approval steps (who, when, on which plan hash)."""
    found = []
    for step in record.steps:
        out = step.output or {}
        if "decision" in out and "decided_hash" in out:
            found.append(
                Approval(
                    step=step.index,
                    decision=str(out["decision"]),
                    by=str(out.get("decided_by", "")),
                    at=float(out.get("decided_at") or 0.0),
                    hash=str(out["decided_hash"]),
                    reason=str(out.get("reason", "")),
                )
            )
    return found
