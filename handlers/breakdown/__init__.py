"""The breakdown workflow: issue.read → breakdown.propose → approval → breakdown.create."""

from handlers.breakdown import create, plan_format, propose

__all__ = ["create", "plan_format", "propose"]
