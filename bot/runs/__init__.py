"""Runs as operators see them: listed, read, retried, cancelled and forked (pages and CLI)."""
