"""Social's tables as the migration makes them: what the code declares, in the `social`
schema on PostgreSQL, and the home feed's query answered from its index."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BLANK_SCHEMA, Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.infrastructure.db import metadata
from astratrade.social.adapters.tables import SCHEMA
from astratrade.social.domain.rules import DEFAULT_RULES
from astratrade.social.views import feeds


def schemaless(declared: MetaData) -> MetaData:
    """The tables as SQLite holds them, without schemas (as migrations/env.py compares)."""
    copy = MetaData(naming_convention=declared.naming_convention)
    for table in declared.sorted_tables:
        table.to_metadata(copy, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)
    return copy


def _social_differences(conn: Connection) -> list[object]:
    sqlite = conn.dialect.name == "sqlite"
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_schemas": not sqlite}
    )
    declared = schemaless(metadata) if sqlite else metadata
    return [
        d
        for d in compare_metadata(context, declared)
        if "social_" in repr(d)  # other contexts' tables are theirs to check
    ]


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(_social_differences) == []
        if conn.dialect.name == "postgresql":
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": SCHEMA}
            )
            declared = [t for t in metadata.tables.values() if t.schema == SCHEMA]
            assert tables == len(declared) == 12


async def test_the_home_feed_reads_each_followed_author_s_posts_from_the_index(
    migrated_engine: AsyncEngine,
) -> None:
    """PostgreSQL's plan, its sequential scans off so the tiny test table does not hide
    what the index is for: the posts come from ix_social_posts_author_shown."""
    if migrated_engine.dialect.name != "postgresql":
        assert "social_posts" in str(feeds.home_query("viewer", None, 21, per_author=False))
        return
    async with migrated_engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))
        limit = DEFAULT_RULES.page_size + 1
        query = feeds.home_query("viewer", None, limit, per_author=True).limit(limit)
        compiled = query.compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in await conn.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_social_posts_author_shown" in plan, plan
