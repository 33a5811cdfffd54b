"""Webhook ack: Baton (durable, SQLite) against a do-nothing Probot app and a bare ASGI app.

The same signed deliveries at fixed rates and flat out, from one open-loop load generator
(benchmarks/openloop.py, its own process). For each point the contenders take turns, and with
`--rounds 2` take them again in reverse order, so the machine's drift hits all three. After
each Baton turn the benchmark waits until Baton has dispatched everything it stored.
Usage: python -m benchmarks.ack [--seconds 10] [--rates 100,200,500,max] [--record]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from benchmarks import ack_profile
from benchmarks.ack_contenders import SERVERS, Contender, contenders, wait_for_dispatch
from benchmarks.ack_table import Point, ratio_rows, result_rows, verdicts
from benchmarks.report import append, table
from tests.e2e.conftest import SECRET


def generate(contender: Contender, rate: float, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.openloop", "--url", contender.url]
    command += ["--path", contender.path, "--secret", SECRET, "--rate", str(rate)]
    command += ["--seconds", str(args.seconds), "--connections", str(args.connections)]
    command += ["--tag", f"{contender.name.split()[0]}-{uuid.uuid4().hex[:10]}"]
    done = subprocess.run(command, capture_output=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(contender: Contender, rate: float, args: argparse.Namespace, label: str) -> Point:
    profiler = None
    if args.profile and contender.database_url and label in args.profile_at:
        output = args.profile / f"baton-{label}-{uuid.uuid4().hex[:6]}.txt"
        profiler = ack_profile.start(contender.pid, output, args.seconds, args.profile_mode)
    raw = generate(contender, rate, args)
    if profiler is not None:
        profiler.wait()
        print(ack_profile.summary(output), flush=True)
    drained = wait_for_dispatch(contender)
    point = Point.of(contender.name, label, raw, drained if contender.database_url else None)
    print(json.dumps(point.row()), flush=True)
    return point


def run(args: argparse.Namespace, folder: Path) -> list[Point]:
    points: list[Point] = []
    with contenders(folder, dict(args.baton_env), tuple(args.servers)) as running:
        for contender in running:  # warm-up: JIT, caches, connection set-up; not recorded
            generate(contender, 100, argparse.Namespace(**{**vars(args), "seconds": 2}))
            wait_for_dispatch(contender)
        for label in args.rates:
            rate = 0.0 if label == "max" else float(label)
            for turn in range(args.rounds):
                order = running if turn % 2 == 0 else list(reversed(running))
                points += [measure(c, rate, args, label) for c in order]
    return points


def env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each point")
    parser.add_argument("--rates", type=lambda t: t.split(","), default="100,200,500,max")
    parser.add_argument("--rounds", type=int, default=2, help="2: a second turn, reversed")
    parser.add_argument("--connections", type=int, default=32, help="in flight, flat out")
    parser.add_argument("--servers", type=lambda t: t.split(","), default=",".join(SERVERS))
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument("--baton-env", type=env_pair, action="append", default=[])
    parser.add_argument("--profile", type=Path, help="py-spy Baton into this folder")
    parser.add_argument("--profile-at", type=lambda t: t.split(","), default=["200"])
    parser.add_argument("--profile-mode", choices=sorted(ack_profile.MODES), default="gil")
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        points = run(args, Path(folder))
    rows, ratios = result_rows(points), ratio_rows(points)
    notes = (table(ratios) + "\n\n" if ratios else "") + verdicts(points)
    print("\n" + table(rows) + "\n\n" + notes)
    if args.record:
        append("Webhook ack: Baton vs Probot vs a bare ASGI app", rows, notes)


if __name__ == "__main__":
    main()
