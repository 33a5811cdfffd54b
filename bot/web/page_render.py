"""HTML for Baton's pages: Jinja2 templates, autoescaped (runs show untrusted PR text)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse
from markupsafe import Markup

from bot.prompts.templates import html_templates

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Every page inlines it (base.html) as it is on disk: the Content-Security-Policy allows this
# one text by its hash (bot/web/edge_policy.py), so nothing is templated into it.
STYLESHEET = (TEMPLATES / "base.css").read_text(encoding="utf-8")
_env = html_templates(TEMPLATES)


def when(epoch: float | None) -> str:
    if not epoch:
        return "—"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def took(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def usd(value: float | None) -> str:
    return "—" if value is None else f"${value:.4f}"


def run_path(run_id: str) -> str:
    """The page of a run; its id (with `:`) quoted as one path segment."""
    return "/runs/" + quote(run_id, safe=":@")


_env.filters.update(when=when, took=took, pretty=pretty, usd=usd, run_path=run_path)
_env.globals["stylesheet"] = Markup(STYLESHEET)  # as is: escaped, its `>`s would break it


def page(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
