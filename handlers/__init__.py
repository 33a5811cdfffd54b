"""The steps of Baton's built-in workflows, one package per workflow; each registers its steps."""
