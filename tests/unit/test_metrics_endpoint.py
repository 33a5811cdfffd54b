"""/metrics without a token configured: open, and still answering when the database does not."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import Settings
from bot.store.database import Store
from bot.web.metrics import metrics_router


def test_metrics_are_open_without_tokens_and_say_when_the_database_is_down(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'none' / 'missing.sqlite'}")  # cannot be opened
    app = FastAPI()
    app.include_router(metrics_router(Settings(_env_file=None), store))

    answer = TestClient(app).get("/metrics")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        s.name: s.value for f in text_string_to_metric_families(answer.text) for s in f.samples
    }
    assert samples["baton_database_up"] == 0
    store.close()
