"""`.github/baton.yml`: its typed shape and JSON Schema, loading with line and column errors,
`extends`, and the defaults that run without a file."""
