"""Requests to Baton's HTTP API: schemathesis's cases from Baton's own OpenAPI document, valid
and invalid, and run requests close enough to real ones to start runs."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from tests.fuzz.json_inputs import json_scalars

# schemathesis's generators call `random` themselves; Hypothesis warns, and seeds it anyway.
RANDOM_WARNING = (
    "ignore:Do not use the `random` module:hypothesis.errors.HypothesisDeprecationWarning"
)


def api_cases(openapi: dict[str, Any]) -> st.SearchStrategy[Case]:
    """Cases for every operation under `/api/` in `openapi` (the app's `app.openapi()`: the
    served document is behind the token), generated to fit the schema and to break it."""
    api = schemathesis.openapi.from_dict(openapi).include(path_regex=r"^/api/")
    return api.as_strategy(GenerationMode.POSITIVE) | api.as_strategy(GenerationMode.NEGATIVE)


@st.composite
def run_requests(draw: st.DrawFn, repo: str, workflow: str) -> tuple[bytes, str | None]:
    """(body, Idempotency-Key) of `POST /api/runs` naming a repository and workflow that exist
    often enough to start runs, with random subjects and inputs."""
    subject = st.none() | st.fixed_dictionaries(
        {}, optional={"issue": st.integers(-3, 2**64), "pull": st.integers(-3, 2**64)}
    )
    inputs = st.dictionaries(
        st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z") | st.text(max_size=6),
        json_scalars | st.lists(st.integers(), max_size=2),
        max_size=4,
    )
    body = draw(
        st.fixed_dictionaries(
            {
                "repo": st.sampled_from([repo, repo.upper(), "octo/elsewhere"]),
                "workflow": st.sampled_from([workflow, "missing"]),
            },
            optional={"subject": subject, "inputs": inputs, "extra": json_scalars},
        )
    )
    key = draw(st.none() | st.from_regex(r"\A[A-Za-z0-9._~:+=-]{1,24}\Z"))
    return json.dumps(body).encode(), key
