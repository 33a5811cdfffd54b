"""GitHub's App manifest flow: a confirmed manifest becomes a code, the code becomes the App.

    code = fake.confirm_manifest(manifest)       # the person pressed "Create GitHub App"
    # GitHub's redirect: <redirect_url>?code=<code>&state=<state>
    # POST /app-manifests/{code}/conversions (no authentication) answers the App with its
    # id, slug, pem, webhook_secret, client_id and client_secret, once.

The App created is the fake's own (its id and key pair), so Baton can go on to use it.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from tests.fakes import keys
from tests.fakes.github.router import Ctx, Fail, Reply, route


@dataclass
class ConfirmedManifest:
    manifest: dict[str, Any]
    webhook_secret: str
    client_secret: str


class ManifestApps:
    """The manifest half of FakeGitHub's seeding API."""

    lock: threading.RLock
    public_key_pem: str

    def manifest_codes(self) -> dict[str, ConfirmedManifest]:
        """Codes not yet exchanged (made on first use, so FakeGitHub's __init__ needs nothing)."""
        with self.lock:
            codes: dict[str, ConfirmedManifest] = self.__dict__.setdefault("_manifest_codes", {})
            return codes

    def confirm_manifest(self, manifest: dict[str, Any]) -> str:
        """What GitHub does when someone confirms the manifest's page: returns the code."""
        if self.public_key_pem != keys.app_public_key():
            raise ValueError("the manifest flow hands out keys.app_private_key(): use its pair")
        code = secrets.token_hex(10)
        confirmed = ConfirmedManifest(manifest, secrets.token_hex(20), secrets.token_hex(20))
        self.manifest_codes()[code] = confirmed
        return code


@route("POST", "/app-manifests/{code}/conversions", auth="none")
def convert_manifest(ctx: Ctx) -> Reply:
    confirmed = ctx.fake.manifest_codes().pop(ctx.params["code"], None)
    if confirmed is None:
        raise Fail(404, "Not Found")
    manifest = confirmed.manifest
    app = ctx.shapes.app()
    body = {
        **app,
        "name": manifest.get("name", app["name"]),
        "description": manifest.get("description", ""),
        "external_url": manifest.get("url", app["external_url"]),
        "permissions": manifest.get("default_permissions", {}),
        "events": manifest.get("default_events", []),
        "client_secret": confirmed.client_secret,
        "webhook_secret": confirmed.webhook_secret,
        "pem": keys.app_private_key(),
    }
    return Reply(201, body)
