"""Real adapters behind the ports: GitHub through githubkit, the LLM providers through their
official SDKs, and the structured-completion helper they share."""
