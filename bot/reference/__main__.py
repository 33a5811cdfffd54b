"""`python -m bot.reference [--check] [DOCS_DIR]`: write the generated reference pages, or check
that they are current (a test runs the check, so a schema change must come with its docs)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.reference.pages import stale_pages, write_pages


def main(argv: list[str]) -> int:
    check = "--check" in argv
    rest = [arg for arg in argv if arg != "--check"]
    docs = Path(rest[0]) if rest else Path("docs")
    if not check:
        for path in write_pages(docs):
            print(f"wrote {path}")
        return 0
    stale = stale_pages(docs)
    for path in stale:
        print(f"{path} is out of date: run ./scripts/gen-docs", file=sys.stderr)
    return 1 if stale else 0


sys.exit(main(sys.argv[1:]))
