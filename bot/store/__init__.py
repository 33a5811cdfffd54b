"""Baton's own tables beside DBOS's: the run book and the ledger, write marks, the file cache,
executors' heartbeats, and the SQLite turn-taking that keeps the inbox first."""
