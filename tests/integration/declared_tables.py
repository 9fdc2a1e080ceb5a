"""Helpers for the tests that check a context's migrated tables against the code."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BLANK_SCHEMA, Connection, MetaData

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.infrastructure.db import metadata


def schemaless(declared: MetaData) -> MetaData:
    """The tables as SQLite holds them, without schemas (as migrations/env.py compares)."""
    copy = MetaData(naming_convention=declared.naming_convention)
    for table in declared.sorted_tables:
        table.to_metadata(copy, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)
    return copy


def differences(conn: Connection, prefix: str) -> list[object]:
    """What the migrated database and the declared tables named `prefix...` disagree on
    (other contexts' tables are theirs to check)."""
    sqlite = conn.dialect.name == "sqlite"
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_schemas": not sqlite}
    )
    declared = schemaless(metadata) if sqlite else metadata
    return [d for d in compare_metadata(context, declared) if prefix in repr(d)]
