"""The draft workflow: issue.read → draft.plan → approval → draft.write → draft.approve_diff →
draft.open_pr."""

from handlers.draft import approve_diff, diff_plan, open_pr, plan, plan_format, write

__all__ = ["approve_diff", "diff_plan", "open_pr", "plan", "plan_format", "write"]
