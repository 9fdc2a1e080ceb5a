"""Badges over HTTP."""
