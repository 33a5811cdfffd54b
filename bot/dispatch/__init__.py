"""Dispatch: one durable workflow per delivery that reads the repository's config, matches
triggers, checks who asked, routes approvals and commands, and starts the runs."""
