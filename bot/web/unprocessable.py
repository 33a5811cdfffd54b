"""The 422 for a request that fails validation, written so that it can always be written.

FastAPI's own answer echoes each error's `input`, and a JSON body may hold what a JSON answer
cannot: `NaN` and `Infinity` (Python's reader takes them), or half of a surrogate pair
(`"\\udbce"`). Echoed as they are, the answer failed to encode and a stranger's request got a
500 instead; here they are written as text (`"nan"`) or replaced (`"?"`).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def json_safe(value: Any) -> Any:
    """`value` (already plain JSON types) with nothing left that strict JSON in UTF-8 refuses."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    return value


async def unprocessable(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's answer (`{"detail": [errors]}`), made JSON-safe."""
    errors = error.errors() if isinstance(error, RequestValidationError) else [str(error)]
    return JSONResponse({"detail": json_safe(jsonable_encoder(errors))}, status_code=422)


def answer_unprocessable(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, unprocessable)
