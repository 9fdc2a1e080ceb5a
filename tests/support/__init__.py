"""Helpers shared by several test suites (unit, integration, e2e)."""
