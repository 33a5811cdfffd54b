"""Baton: durable, multi-step agent workflows for GitHub."""

__version__ = "0.1.0"
