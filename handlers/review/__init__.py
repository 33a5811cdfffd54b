"""The PR review workflow: pr.diff → review.checks → review.llm → review.publish."""

from handlers.review import llm, publish, read

__all__ = ["llm", "publish", "read"]
