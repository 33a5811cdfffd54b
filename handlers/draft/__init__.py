"""The draft workflow: issue.read → draft.plan → approval → draft.write → draft.open_pr."""

from handlers.draft import open_pr, plan, propose, write

__all__ = ["open_pr", "plan", "propose", "write"]
