"""The PR review workflow: pr.diff → review.checks → review.llm → review.publish."""
