"""The breakdown workflow: issue.read → breakdown.propose → approval → breakdown.create."""

from handlers.breakdown import create, plan, propose

__all__ = ["create", "plan", "propose"]
