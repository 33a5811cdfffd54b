"""The engine: runs as DBOS workflows of typed, checkpointed steps, with budgets, pacing of
GitHub writes, check-run progress and result delivery."""
