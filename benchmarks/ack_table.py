"""The ack benchmark's figures: one point per contender and rate, turns merged, ratios, verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Point:
    contender: str
    rate: str  # "100", "200", … or "max"
    sent: int
    ok: int  # answered 2xx
    refused: int  # answered, but not 2xx
    errors: int  # no answer: refused connection, reset, timeout
    seconds: float
    latencies: list[float] = field(repr=False)
    drain: float | None = None  # Baton only: dispatch catching up after the last ack

    @classmethod
    def of(cls, contender: str, rate: str, raw: dict[str, Any], drain: float | None) -> Point:
        statuses = {int(k): v for k, v in raw["statuses"].items()}
        ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
        answered = sum(statuses.values())
        errors = int(raw["error_count"])
        return cls(
            contender, rate, answered + errors, ok, answered - ok, errors, raw["elapsed"],
            raw["latencies"], drain,
        )  # fmt: skip

    def merged(self, other: Point) -> Point:
        drains = [d for d in (self.drain, other.drain) if d is not None]
        return Point(
            self.contender, self.rate, self.sent + other.sent, self.ok + other.ok,
            self.refused + other.refused, self.errors + other.errors,
            self.seconds + other.seconds, self.latencies + other.latencies,
            max(drains) if drains else None,
        )  # fmt: skip

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def row(self) -> dict[str, object]:
        return {
            "rate": self.rate if self.rate == "max" else f"{self.rate}/s",
            "server": self.contender,
            "sent": self.sent,
            "2xx": self.ok,
            "non-2xx": self.refused,
            "errors": self.errors,
            "2xx/s": round(self.throughput, 1),
            "p50 ms": round(self.percentile_ms(0.5), 2),
            "p99 ms": round(self.percentile_ms(0.99), 2),
            "max ms": round(self.percentile_ms(1.0), 1),
            "dispatch drained s": "" if self.drain is None else round(self.drain, 1),
        }


def merge(points: list[Point]) -> dict[tuple[str, str], Point]:
    """The turns of one contender at one rate, as one point (latencies pooled)."""
    merged: dict[tuple[str, str], Point] = {}
    for point in points:
        key = (point.rate, point.contender)
        merged[key] = merged[key].merged(point) if key in merged else point
    return merged


def result_rows(points: list[Point]) -> list[dict[str, object]]:
    return [point.row() for point in merge(points).values()]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def ratio_rows(points: list[Point]) -> list[dict[str, object]]:
    merged = merge(points)
    rows: list[dict[str, object]] = []
    for rate in dict.fromkeys(p.rate for p in points):
        at = {name: p for (r, name), p in merged.items() if r == rate}
        baton = at.get("baton")
        probot = next((p for name, p in at.items() if name.startswith("probot")), None)
        bare = at.get("bare")
        if baton is None or probot is None or bare is None:
            continue
        rows.append({
            "rate": rate if rate == "max" else f"{rate}/s",
            "2xx/s Baton/Probot": _ratio(baton.throughput, probot.throughput),
            "2xx/s Baton/bare": _ratio(baton.throughput, bare.throughput),
            "p99 Baton/Probot": _ratio(baton.percentile_ms(0.99), probot.percentile_ms(0.99)),
            "p99 Baton/bare": _ratio(baton.percentile_ms(0.99), bare.percentile_ms(0.99)),
        })  # fmt: skip
    return rows


def verdicts(points: list[Point]) -> str:
    """The issue's targets, each said met or not with the figures."""
    merged = merge(points)
    lines = []
    at200 = merged.get(("200", "baton"))
    if at200 is not None:
        p99 = at200.percentile_ms(0.99)
        met = "met" if p99 <= 20 else "NOT met"
        lines.append(f"- p99 ack at 200/s ≤ 20 ms: {met} ({p99:.1f} ms)")
    flat = {name: p for (rate, name), p in merged.items() if rate == "max"}
    baton, bare = flat.get("baton"), flat.get("bare")
    probot = next((p for name, p in flat.items() if name.startswith("probot")), None)
    if baton and probot:
        ok = baton.throughput >= probot.throughput
        lines.append(
            f"- flat-out throughput ≥ Probot's: {'met' if ok else 'NOT met'} "
            f"({baton.throughput:.0f} vs {probot.throughput:.0f} 2xx/s)"
        )
    if baton and bare:
        ok = baton.throughput >= bare.throughput / 2
        lines.append(
            f"- flat-out throughput ≥ half the bare app's: {'met' if ok else 'NOT met'} "
            f"({baton.throughput:.0f} vs {bare.throughput / 2:.0f} 2xx/s)"
        )
    return "\n".join(lines)
