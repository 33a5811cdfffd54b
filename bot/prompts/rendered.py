"""A prompt as a step receives it: rendered, with the id, version and hash its run records."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel


class PromptUse(BaseModel):
    id: str
    version: str
    sha256: str
    source: str  # "default" or the repository path it came from


class RenderedPrompt(BaseModel):
    use: PromptUse
    system: str
    user: str


class PromptSource(Protocol):
    async def render(self, name: str, variables: dict[str, Any]) -> RenderedPrompt:
        """Load prompt `name` (the repo's override first, then the default) and render it."""
        ...
