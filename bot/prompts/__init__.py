"""Prompts: files with front matter and a Jinja2 body, the sandbox (and child process) that
renders a repository's override, and the default prompts."""
