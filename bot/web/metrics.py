"""`GET /metrics` for Prometheus: this process's counters plus what the database says.

Open when neither BATON_METRICS_TOKEN nor BATON_ADMIN_TOKEN is set (a scraper on an internal
network); otherwise it wants `Authorization: Bearer <either token>`, which Prometheus sends
with `authorization: {credentials: …}` in its scrape config.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

# The classic text format, which every Prometheus reads (generate_latest writes it).
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot.ops.metrics_store import StoreCollector
from bot.settings import Settings
from bot.store.database import Store


def allowed_tokens(settings: Settings) -> list[str]:
    tokens = (settings.baton_metrics_token, settings.baton_admin_token)
    return [t.get_secret_value() for t in tokens if t is not None and t.get_secret_value()]


def authorized(request: Request, tokens: list[str]) -> bool:
    if not tokens:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return any(hmac.compare_digest(given.encode(), t.encode()) for t in tokens)


def metrics_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter()
    shared = CollectorRegistry(auto_describe=False)
    shared.register(StoreCollector(store))
    tokens = allowed_tokens(settings)

    # A plain `def`: FastAPI runs it on a worker thread, so the queries never block the loop.
    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not authorized(request, tokens):
            return Response(
                "Authorization: Bearer <BATON_METRICS_TOKEN or BATON_ADMIN_TOKEN> is required\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body = generate_latest(REGISTRY) + generate_latest(shared)
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return router
