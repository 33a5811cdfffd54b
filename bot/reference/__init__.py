"""Reference pages generated from the code: the config file's schema and the registered steps."""
