"""The `approval` step every plan-then-act workflow shares."""

from handlers.approval import step

__all__ = ["step"]
