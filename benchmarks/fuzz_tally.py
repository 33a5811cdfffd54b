"""The fuzzing benchmark's counts per surface, and the alarm that stops a case looping."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from tests.fuzz.surfaces import Outcome

KINDS = ("5xx", "hang", "crash", "wrong")
SHOWN = 3  # failures shown per surface, with what was sent


@dataclass
class Tally:
    surface: str
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.kind] += 1
        if outcome.kind != "ok" and len(self.failures) < SHOWN:
            self.failures.append(f"{outcome.kind}: {outcome.detail[:600]}")

    @property
    def cases(self) -> int:
        return sum(self.counts.values())

    def row(self) -> dict[str, object]:
        return {
            "surface": self.surface,
            "cases": self.cases,
            "5xx": self.counts["5xx"],
            "hangs": self.counts["hang"],
            "crashes": self.counts["crash"],
            "wrong answers": self.counts["wrong"],
        }

    def line(self) -> str:
        found = ", ".join(f"{self.counts[kind]} {kind}" for kind in KINDS)
        return f"{self.surface}: {self.cases} cases, {found}"

    @classmethod
    def total(cls, tallies: list[Tally]) -> Tally:
        return cls("total", sum((tally.counts for tally in tallies), Counter()))


def report(tallies: list[Tally], seconds: float) -> str:
    total = Tally.total(tallies)
    lines = [f"{total.cases} cases in {seconds:.0f} s."]
    for tally in tallies:
        lines += [f"\n{tally.surface}:", *(f"  {failure}" for failure in tally.failures)]
    if not any(total.counts[kind] for kind in KINDS):
        lines = [*lines[:1], "No 5xx, hang, crash or wrong answer."]
    return "\n".join(lines)


class Hang(Exception):
    """A case ran past its time: raised into it by the alarm."""


def _ring(signum: int, frame: FrameType | None) -> None:
    raise Hang


@contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Raise Hang into the block after `seconds` (main thread only). Python code stops there;
    a call into C finishes first."""
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
