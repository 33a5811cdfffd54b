"""The scripted LLM failing at a rate: rate limits, server errors, and answers that do not fit.

    chaos = LLMChaos(rate=0.2, seed=7)
    fake.respond_with(chaos.wrap(lambda body: {"summary": ..., "findings": [...]}))
    ...
    chaos.counts()            # Counter({"429": 3, "not-json": 2, ...})
    chaos.answers             # every answer given, in order: (kind or "ok", request body)

Faults are drawn in the order requests arrive, so which request gets one varies between runs
that send requests concurrently; `answers` says what each got.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Literal, get_args

from tests.fakes.llm import FakeAnswer

LLMKind = Literal["429", "500", "not-json", "length"]
LLM_KINDS: tuple[LLMKind, ...] = get_args(LLMKind)
UNFIT: frozenset[str] = frozenset({"not-json", "length"})  # answers the SDK cannot tell apart
NOT_JSON = "Sure! The change looks fine to me, apart from one possible crash on line 3."
CUT_OFF = '{"summary": "Changes line 3.", "findings": [{"path": "src/app.py", "li'
Responder = Callable[[dict[str, Any]], Any]


def fault(kind: LLMKind, retry_after: float) -> FakeAnswer:
    if kind == "429":
        return FakeAnswer(
            status=429, error="Rate limit reached for requests", retry_after=retry_after
        )
    if kind == "500":
        # No `retry-after`: the SDKs back off on their own (about half a second, doubling).
        return FakeAnswer(status=500, error="The server had an error", retry_after=None)
    if kind == "not-json":
        return FakeAnswer(text=NOT_JSON)
    return FakeAnswer(text=CUT_OFF, finish_reason="length")


class LLMChaos:
    """Answers `rate` of the requests with a fault drawn from `kinds` (seeded), the rest with
    the wrapped responder; keeps every answer it chose so a test can say what happened."""

    def __init__(
        self,
        rate: float,
        seed: int,
        kinds: Iterable[LLMKind] = LLM_KINDS,
        *,
        retry_after: float = 0.05,
    ) -> None:
        self.rate, self.kinds, self.retry_after = rate, tuple(kinds), retry_after
        self.answers: list[tuple[str, dict[str, Any]]] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def wrap(self, responder: Responder) -> Responder:
        def answer(body: dict[str, Any]) -> Any:
            with self._lock:
                hit = self._random.random() < self.rate
                kind: LLMKind | None = self._random.choice(self.kinds) if hit else None
                self.answers.append((kind or "ok", body))
            return responder(body) if kind is None else fault(kind, self.retry_after)

        return answer

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(kind for kind, _ in self.answers if kind != "ok")
