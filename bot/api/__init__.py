"""Starting runs by name (HTTP API, schedules) and what a finished run amounts to."""
