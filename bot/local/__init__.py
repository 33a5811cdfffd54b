"""Running a workflow in this process against real GitHub: `baton review URL`."""
