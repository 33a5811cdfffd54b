"""Schedules: `schedule:"CRON"` triggers kept as DBOS schedules."""
