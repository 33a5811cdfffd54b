"""Slash-commands for users: `/baton help|config|pause|resume`."""
