"""Badges' tables as the migration makes them: what the code declares, in the `badges`
schema on PostgreSQL."""

from __future__ import annotations

from migrated_tables import differences
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.badges.adapters.tables import SCHEMA
from astratrade.infrastructure.db import metadata


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences, "badges_") == []
        if conn.dialect.name == "postgresql":
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": SCHEMA}
            )
            declared = [t for t in metadata.tables.values() if t.schema == SCHEMA]
            assert tables == len(declared) == 6
