"""Receiving GitHub's webhooks: the route, the signature check, the narrow payload models and
the inbox that has each delivery on disk before its 202."""
