"""Starting runs by name, for the HTTP API and schedules: plans, idempotency keys, requests."""
