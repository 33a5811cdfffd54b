"""`Idempotency-Key`s of API requests: a retried request gets its first answer, not a second run.

The run id is derived from the key, so DBOS itself starts one run per key in any process. This
table only adds what DBOS cannot tell: whether a request reusing a key asked for the same thing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import BaseModel

from bot.store.database import Store, metadata

api_requests = sa.Table(
    "baton_api_requests",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(300), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


class KeyReused(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Known:
    request_hash: str
    run_id: str


def request_hash(request: BaseModel) -> str:
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def known(store: Store, key: str) -> Known | None:
    query = sa.select(api_requests.c.request_hash, api_requests.c.run_id).where(
        api_requests.c.key == key
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return Known(str(row.request_hash), str(row.run_id)) if row else None


def claim(store: Store, key: str, digest: str, run_id: str) -> str:
    """Bind `key` to this request and run; returns the run id the key stands for.

    Raises KeyReused when the key is bound to a different request."""
    row = {"key": key, "request_hash": digest, "run_id": run_id, "created_at": time.time()}
    try:
        with store.engine.begin() as conn:
            conn.execute(api_requests.insert().values(**row))
    except sa.exc.IntegrityError:
        pass  # bound already, perhaps by a concurrent request: the stored binding decides
    bound = known(store, key)
    if bound is None or bound.request_hash != digest:
        raise KeyReused(key)
    return bound.run_id
