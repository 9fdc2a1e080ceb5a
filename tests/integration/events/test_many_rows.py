"""`execute_many` writes exactly what `conn.execute(statement, rows)` writes: every column
type of the hot tables (JSON, times in other zones, exact decimals, dates, booleans,
nulls), upserts updating what is stored, and statements it cannot take (a default computed
in Python) handed to SQLAlchemy whole. On SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Column, Connection, MetaData, String, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from test_bulk_rows import CASES, account_rows, order_rows, stored

from astratrade.infrastructure.bulk import insert_rows
from astratrade.infrastructure.db import EVENTS_SCHEMA
from astratrade.infrastructure.many_rows import execute_many
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.upsert import upsert
from astratrade.trading.adapters.tables import accounts, orders


@pytest.mark.parametrize(("table", "rows_of", "key"), [*CASES, (accounts, None, "id")])
async def test_rows_read_back_as_those_sqlalchemy_inserts(
    migrated_engine: AsyncEngine, table: Table, rows_of: Any, key: str
) -> None:
    def rows(prefix: str) -> list[dict[str, Any]]:
        if rows_of is None:
            return account_rows(prefix, Decimal("1000.000001"))[:7]
        return rows_of(prefix)[:7]

    def write(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        conn.execute(insert(table), rows("plain"))
        execute_many(conn, insert(table), rows("many"))
        return stored(conn, table, key, "plain"), stored(conn, table, key, "many")

    async with migrated_engine.begin() as conn:
        plain, many = await conn.run_sync(write)
    assert many == plain
    assert len(many) == 7


async def test_an_upsert_updates_the_stored_rows_and_inserts_the_new(
    migrated_engine: AsyncEngine,
) -> None:
    def write(conn: Connection) -> list[Any]:
        conn.execute(insert(accounts), account_rows("a", Decimal(5)))
        upsert(conn, orders, order_rows("a", "open")[:4], ["id"])  # 4 stored, then 4 more
        upsert(conn, orders, order_rows("a", "filled")[:8], ["id"])
        query = select(orders.c.id, orders.c.status).where(orders.c.id.like("a-%"))
        return list(conn.execute(query.order_by(orders.c.id)))

    async with migrated_engine.begin() as conn:
        written = await conn.run_sync(write)
    assert [status for _, status in written] == ["filled"] * 8


async def test_a_statement_with_a_default_made_in_python_goes_to_sqlalchemy(
    migrated_engine: AsyncEngine,
) -> None:
    numbers = count(1)
    noted = Table(
        "many_rows_noted",
        MetaData(),
        Column("id", String(10), primary_key=True),
        Column("tag", String(10), nullable=False, default=lambda: f"t{next(numbers)}"),
    )

    def write(conn: Connection) -> list[Any]:
        noted.create(conn)
        execute_many(conn, insert(noted), [{"id": "x"}, {"id": "y"}])
        return list(conn.execute(select(noted).order_by(noted.c.id)))

    async with migrated_engine.begin() as conn:
        written = await conn.run_sync(write)
    assert [tuple(row) for row in written] == [("x", "t1"), ("y", "t2")]


@pytest.mark.postgres
async def test_each_schema_translation_writes_into_its_own_schema(
    fresh_postgres_url: str,
) -> None:
    """A statement compiled under one translation of the schema names is not reused
    under another (tests, and services sharing a database, each map theirs)."""
    engines = {
        schema: create_async_engine(
            fresh_postgres_url,
            execution_options={"schema_translate_map": {EVENTS_SCHEMA: schema}},
        )
        for schema in ("first", "second")
    }
    rows = CASES[2][1]  # tracking rows

    def write(conn: Connection, prefix: str) -> None:
        conn.execute(text(f"CREATE SCHEMA {prefix}"))
        tracking.create(conn)
        insert_rows(conn, tracking, rows(prefix)[:3])  # its INSERT made once, reused

    try:
        for schema, engine in engines.items():
            async with engine.begin() as conn:
                await conn.run_sync(write, schema)
        for schema, engine in engines.items():
            async with engine.connect() as conn:
                ids = await conn.scalars(select(tracking.c.event_id).order_by("event_id"))
                assert list(ids) == [f"{schema}-{n}" for n in range(3)]
    finally:
        for engine in engines.values():
            await engine.dispose()
