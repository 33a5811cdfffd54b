"""The App's manifest: `app.yml` plus the addresses of this Baton, for GitHub's manifest flow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ruamel.yaml import YAML

# Package data beside this module, so an installed wheel (and the image) has it too.
APP_YML = Path(__file__).resolve().parent / "app.yml"
# GitHub's rule for account names: letters, digits and single inner hyphens.
ORGANIZATION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def load_app_yml(path: Path = APP_YML) -> dict[str, Any]:
    loaded = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of manifest fields")
    return loaded


def manifest(base_url: str, app_yml: dict[str, Any]) -> dict[str, Any]:
    """What the form sends GitHub: app.yml, with webhooks and the return coming to `base_url`."""
    base = base_url.rstrip("/")
    return {
        "url": base,
        **app_yml,
        "hook_attributes": {"url": f"{base}/webhooks", "active": True},
        "redirect_url": f"{base}/setup/callback",
    }


def registration_url(web_url: str, state: str, organization: str | None = None) -> str:
    """Where the form posts: a personal account's new-App page, or an organization's."""
    web = web_url.rstrip("/")
    if organization:
        if not ORGANIZATION.fullmatch(organization):
            raise ValueError(f"{organization!r} is not a GitHub organization name")
        return f"{web}/organizations/{organization}/settings/apps/new?state={quote(state)}"
    return f"{web}/settings/apps/new?state={quote(state)}"


def conversion_url(api_url: str, code: str) -> str:
    """GitHub's endpoint that trades the one-hour code for the new App's id, key and secret."""
    return f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions"
