"""A context's tables as the migrations make them, compared with what its code declares
(on SQLite without schemas, as migrations/env.py compares; on PostgreSQL in its schema)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BLANK_SCHEMA, Connection, MetaData

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.infrastructure.db import metadata


def schemaless(declared: MetaData) -> MetaData:
    """The tables as SQLite holds them, without schemas."""
    copy = MetaData(naming_convention=declared.naming_convention)
    for table in declared.sorted_tables:
        table.to_metadata(copy, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)
    return copy


def differences(conn: Connection, table_prefix: str) -> list[object]:
    """What differs between the database and the code for tables named `table_prefix`...
    (other contexts' tables are theirs to check)."""
    sqlite = conn.dialect.name == "sqlite"
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_schemas": not sqlite}
    )
    declared = schemaless(metadata) if sqlite else metadata
    return [d for d in compare_metadata(context, declared) if table_prefix in repr(d)]
