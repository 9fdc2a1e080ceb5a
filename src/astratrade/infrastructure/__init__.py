"""Adapters shared by every context: database, unit of work, audit log, outbox, bus."""
