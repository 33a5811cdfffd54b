"""The ports: what steps may ask of GitHub and of a model, as narrow protocols and plain data."""
