"""GitHub calls and prompt tokens per review, on reference pull requests: small (1 file),
10 files, and 300 files / 20,000 lines. Each pull gets its own repository (so its config is
read cold), is opened (first review), then pushed to (a re-review: the summary is edited).

Calls are the fake GitHub's request log while the review runs, one review at a time (the
installation token is fetched once, before, by a warm-up review elsewhere). Tokens are the
scripted LLM's count of each request's message text (one token per word and one per other
non-space character: tiktoken's o200k_base needs a download this machine cannot make).
Usage: python -m benchmarks.calls [--only small,ten,large] [--record]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.report import append, table
from benchmarks.world import Bench, Request, add_repo, bench, changed_app, one_finding, opened
from tests.e2e.conftest import pr_event

# name → (files, changed lines per file)
REFERENCE = {"small": (1, 3), "ten": (10, 20), "large": (300, 67)}


def new_files(count: int, lines: int, salt: str) -> dict[str, str]:
    return {
        f"src/f{i:03d}.py": "".join(f"x_{i}_{n} = f({n}, '{salt}')\n" for n in range(lines))
        for i in range(count)
    }


def delivered(b: Bench, repo: str, number: int) -> dict[str, object]:
    """The pull's fields as GitHub's delivery would carry them (the run takes them from it)."""
    pull = b.github.pull(repo, number)
    return {
        "pull_request.title": pull.title,
        "pull_request.body": pull.body,
        "pull_request.user.login": pull.author,
        "pull_request.head.ref": pull.head_ref,
        "pull_request.base.ref": pull.base_ref,
        "pull_request.base.sha": pull.base_sha,
    }


def review(b: Bench, repo: str, number: int, head: str, action: str) -> list[Request]:
    """Send the delivery, wait for the finished check run, and a little more for stragglers."""
    owner, name = repo.split("/")
    where = {"repository.full_name": repo, "repository.name": name, "repository.owner.login": owner}
    where |= delivered(b, repo, number)
    started = time.monotonic()
    b.send("pull_request", pr_event(action, number, head, **where))
    b.timeline.wait(lambda: head in b.timeline.completed, 300, f"the review of {repo}#{number}")
    time.sleep(1.0)
    return b.timeline.between(started, time.monotonic())


def measure(b: Bench, name: str) -> dict[str, object]:
    count, lines = REFERENCE[name]
    repo = f"octo/ref-{name}"
    add_repo(b.world, repo)
    head = b.github.add_pull(repo, number=1, head_files=new_files(count, lines, "a"))
    llm_before = len(b.world.llm.requests)
    first = review(b, repo, 1, head, "opened")
    llm = b.world.llm.requests[llm_before:]
    head = b.github.push_to_pull(repo, 1, head_files=new_files(count, lines, "b"))
    again = review(b, repo, 1, head, "synchronize")
    kinds = Counter(r.kind for r in first)
    print(f"{name}: first review {len(first)} calls: {dict(sorted(kinds.items()))}", flush=True)
    print(
        f"{name}: re-review {len(again)} calls: {dict(Counter(r.kind for r in again))}", flush=True
    )
    return {
        "pull": name,
        "files": count,
        "lines": count * lines,
        "github_calls_first": len(first),
        "github_calls_rereview": len(again),
        "llm_calls": len(llm),
        "prompt_tokens": sum(r.input_tokens for r in llm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(REFERENCE), help="which reference pulls")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, bench(Path(folder)) as b:
        b.world.llm.respond_with(one_finding("src/f000.py", 3))
        add_repo(b.world, "octo/warm-up")  # fetches the installation token, not counted
        warm = b.github.add_pull("octo/warm-up", number=1, head_files=changed_app(1))
        b.send("pull_request", opened("octo/warm-up", 1, warm))
        b.timeline.wait(lambda: warm in b.timeline.completed, 120, "the warm-up review")
        rows = [measure(b, name) for name in args.only.split(",")]
    print(table(rows))
    notes = (
        "Calls while one review runs, by the fake GitHub's log; the installation token was "
        "fetched before. Tokens: the scripted LLM's count (words + punctuation) of each "
        "request's message text."
    )
    if args.record:
        append("GitHub calls and prompt tokens per review", rows, notes)


if __name__ == "__main__":
    main()
