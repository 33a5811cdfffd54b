"""What `baton review` prints: the review and summary a dry run kept back, or what was posted."""

from __future__ import annotations

from collections.abc import Iterator

from bot.engine import markers
from bot.local.dryrun import Write
from bot.local.review import PullTarget, ReviewResult
from bot.ports.github import ReviewComment


def visible(body: str) -> str:
    """The body as GitHub shows it: Baton's hidden markers are not printed either."""
    return markers.hidden_lines_removed(body)


def indented(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def where(comment: ReviewComment) -> str:
    side = " (old side)" if comment.side == "LEFT" else ""
    return f"{comment.path}:{comment.line}{side}"


def review_lines(write: Write) -> Iterator[str]:
    comments: list[ReviewComment] = list(write.args["comments"])
    sha = str(write.args["commit_sha"])[:7]
    yield f"Review ({write.args['event']}) on {sha}, {len(comments)} inline comment(s):"
    yield indented(visible(str(write.args["body"])))
    for comment in comments:
        yield ""
        yield f"  {where(comment)}"
        yield indented(visible(comment.body))


def write_lines(write: Write) -> Iterator[str]:
    if write.method == "create_review":
        yield from review_lines(write)
    elif write.method == "upsert_comment":
        kind = "Summary comment" if "baton:summary" in str(write.args["marker"]) else "Comment"
        yield f"{kind} on #{write.args['number']} (edited in place on later runs):"
        yield indented(visible(str(write.args["body"])))
    else:  # nothing else is expected of a review; still shown, never hidden
        shown = ", ".join(f"{k}={v!r}" for k, v in write.args.items())
        yield f"{write.method}({shown})"


def dry_run_report(target: PullTarget, result: ReviewResult) -> str:
    title = f"{target.repo}#{target.number} {result.pull.title!r}"
    lines = [f"Dry run: Baton would post this on {title}; nothing was posted.", ""]
    if not result.writes:
        lines.append("Nothing would be posted.")
    for write in result.writes:
        lines.extend(write_lines(write))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def posted_report(target: PullTarget, result: ReviewResult) -> str:
    out = (result.steps[-1].output or {}) if result.steps else {}
    lines = [f"Reviewed {target.repo}#{target.number} {result.pull.title!r}."]
    if out.get("headline"):
        lines.append(str(out["headline"]))
    if out.get("review_id"):
        lines.append(f"Review posted with {out.get('inline_comments', 0)} inline comment(s).")
    if out.get("summary_url"):
        lines.append(f"Summary: {out['summary_url']}")
    return "\n".join(lines) + "\n"
