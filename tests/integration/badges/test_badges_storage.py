"""Badges' tables as the migration makes them: what the code declares, in the `badges`
schema on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BLANK_SCHEMA, Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.badges.adapters.tables import SCHEMA
from astratrade.infrastructure.db import metadata


def schemaless(declared: MetaData) -> MetaData:
    """The tables as SQLite holds them, without schemas (as migrations/env.py compares)."""
    copy = MetaData(naming_convention=declared.naming_convention)
    for table in declared.sorted_tables:
        table.to_metadata(copy, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)
    return copy


def _differences(conn: Connection) -> list[object]:
    sqlite = conn.dialect.name == "sqlite"
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_schemas": not sqlite}
    )
    declared = schemaless(metadata) if sqlite else metadata
    return [d for d in compare_metadata(context, declared) if "badges_" in repr(d)]


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        if conn.dialect.name == "postgresql":
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": SCHEMA}
            )
            declared = [t for t in metadata.tables.values() if t.schema == SCHEMA]
            assert tables == len(declared) == 3
