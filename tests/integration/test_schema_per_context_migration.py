"""Migration 0017 moves a populated database's tables into their contexts' schemas on
PostgreSQL, rows, indexes and id sequences with them; on SQLite it changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, insert, select, text

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.infrastructure.db import SCHEMAS, create_engine, metadata
from astratrade.infrastructure.event_store import outbox
from astratrade.infrastructure.migrations import at_head, migrate
from astratrade.trading.adapters.tables import accounts
from astratrade.users.adapters.tables import users

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _seed_before_schemas(conn: Connection) -> None:
    # At 0016 the tables are in the default schema, under their plain names.
    conn.execute(
        text(
            "INSERT INTO users_users (id, email, username, username_key, password_hash, role,"
            " kyc, created_at, version) VALUES ('u1', 'ada@example.com', 'Ada', 'ada', 'h',"
            " 'trader', false, :at, 1)"
        ),
        {"at": AT},
    )
    conn.execute(
        text(
            "INSERT INTO trading_accounts (id, owner_id, kind, currency, collateral, version,"
            " created_at) VALUES ('a1', 'u1', 'practice', 'USD', '10000.000001', 1, :at)"
        ),
        {"at": AT},
    )
    conn.execute(
        text(
            "INSERT INTO outbox (event_id, context, envelope, created_at)"
            " VALUES ('e1', 'users', '{}', :at)"
        ),
        {"at": AT},
    )


async def test_the_tables_move_with_their_rows(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0016")
        async with engine.begin() as conn:
            await conn.run_sync(_seed_before_schemas)
        assert not await at_head(engine)

        await migrate(engine)

        assert await at_head(engine)
        async with engine.begin() as conn:
            assert (await conn.execute(select(users.c.email))).scalars().all() == [
                "ada@example.com"
            ]
            collateral = (await conn.execute(select(accounts.c.collateral))).scalar_one()
            assert str(collateral) == "10000.000001"
            # The id sequence moved with the outbox: the next row follows the first.
            await conn.execute(
                insert(outbox).values(event_id="e2", context="users", envelope={}, created_at=AT)
            )
            ids = (await conn.execute(select(outbox.c.id).order_by(outbox.c.id))).scalars()
            assert list(ids) == [1, 2]
            assert await conn.scalar(select(func.count()).select_from(outbox)) == 2
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_each_table_is_in_its_schema_and_nothing_is_left_behind(
    fresh_postgres_url: str,
) -> None:
    engine = create_engine(fresh_postgres_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            found = {
                f"{schema}.{name}"
                for schema, name in await conn.execute(
                    text(
                        "SELECT table_schema, table_name FROM information_schema.tables"
                        " WHERE table_schema = ANY(:schemas)"
                    ),
                    {"schemas": list(SCHEMAS)},
                )
            }
            left = await conn.scalars(
                text(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                )
            )
            indexes = set(
                await conn.scalars(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = ANY(:schemas)"),
                    {"schemas": list(SCHEMAS)},
                )
            )
        assert found == set(metadata.tables)
        assert list(left) == ["alembic_version"]  # the migration Job's, kept where it was
        declared = {index.name for table in metadata.tables.values() for index in table.indexes}
        assert declared <= indexes
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_two_migration_jobs_at_once_migrate_once(fresh_postgres_url: str) -> None:
    engines = [create_engine(fresh_postgres_url) for _ in range(2)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))
        assert await at_head(engines[0])
    finally:
        for engine in engines:
            await engine.dispose()
