"""The PR review workflow: pr.diff → review.checks → review.llm → review.publish."""

from handlers.review import checks, llm, pr_diff, publish

__all__ = ["checks", "llm", "pr_diff", "publish"]
