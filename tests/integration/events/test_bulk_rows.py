"""A batch of rows written by `insert_rows` (PostgreSQL's COPY) reads back exactly as the
same rows through an INSERT: every column type the hot tables use (JSON, times, exact
decimals, nulls); inside the caller's transaction, rolled back with it; a duplicate key
raises SQLAlchemy's IntegrityError as the INSERT does. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Table, delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.bulk import COPY_FROM_ROWS, insert_rows, update_many, upsert_many
from astratrade.infrastructure.event_store import event_log, outbox
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.upsert import upsert
from astratrade.trading.adapters.tables import accounts, fills, orders

AT = datetime(2026, 3, 4, 12, 30, 15, 123456, tzinfo=UTC)


def log_rows(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"{prefix}-{n}",
            "event_type": "OrderFilled",
            "event_version": 1,
            "context": "trading",
            "aggregate_id": f"{prefix}-acc-{n % 2}",  # unique with its version
            "aggregate_version": n,
            # another zone than UTC: stored as the same instant
            "occurred_at": AT.astimezone(timezone(timedelta(hours=2))),
            "payload": {"size": "0.001", "price": "60000.5", "nested": {"n": n}, "none": None},
            "correlation_id": None if n % 2 else f"req-{n}",
            "causation_id": None,
        }
        for n in range(COPY_FROM_ROWS)
    ]


def fill_rows(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{n}",
            "order_id": f"order-{n}",
            "account_id": "acc-1",
            "market": "BTC-USD",
            "side": "buy",
            "size": Decimal("0.001"),
            "price": Decimal("60000.123456789"),
            "fee": Decimal("-0.03"),
            "liquidity": "taker",
            "realized_pnl": Decimal(n) / 3,
            "at": AT,
        }
        for n in range(COPY_FROM_ROWS)
    ]


CASES = [
    (event_log, log_rows, "event_id"),
    (
        outbox,
        lambda p: [
            {
                "event_id": f"{p}-{n}",
                "context": "trading",
                "envelope": {"a": [n, "x"], "b": None},
                "created_at": AT,
            }
            for n in range(COPY_FROM_ROWS)
        ],
        "event_id",
    ),
    (
        tracking,
        lambda p: [
            {
                "consumer": "c",
                "event_id": f"{p}-{n}",
                "stream": "in-process",
                "message_id": f"1-{n}",
                "applied_at": AT,
            }
            for n in range(COPY_FROM_ROWS)
        ],
        "event_id",
    ),
    (fills, fill_rows, "id"),
]


def stored(conn: Connection, table: Table, key: str, prefix: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(table).where(table.c[key].like(f"{prefix}-%")).order_by(table.c[key])
    )
    # The keys differ by their prefix; every other column must match.
    named = ("id", key, "aggregate_id")
    return [{k: v for k, v in row.items() if k not in named} for row in rows.mappings()]


@pytest.mark.parametrize(("table", "rows_of", "key"), CASES)
async def test_copied_rows_read_back_as_inserted_ones(
    migrated_engine: AsyncEngine, table: Table, rows_of: Any, key: str
) -> None:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])  # (conn, cursor, statement, ...)

    def write(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        conn.execute(select(1))  # the transaction has begun: COPY on PostgreSQL
        conn.execute(insert(table), rows_of("inserted"))
        event.listen(conn, "before_cursor_execute", note)
        insert_rows(conn, table, rows_of("copied"))
        event.remove(conn, "before_cursor_execute", note)
        return stored(conn, table, key, "inserted"), stored(conn, table, key, "copied")

    async with migrated_engine.begin() as conn:
        inserted, copied = await conn.run_sync(write)
    assert copied == inserted
    assert len(copied) == len(rows_of("x"))
    # PostgreSQL: no INSERT went through SQLAlchemy for the copied rows.
    postgres = migrated_engine.dialect.name == "postgresql"
    assert len([s for s in statements if s.startswith("INSERT")]) == (0 if postgres else 1)


async def test_the_rows_roll_back_with_the_transaction_even_as_its_first_statement(
    migrated_engine: AsyncEngine,
) -> None:
    class Undone(Exception):
        pass

    def write(conn: Connection) -> None:
        insert_rows(conn, fills, fill_rows("first"))  # before anything: the INSERT
        insert_rows(conn, fills, fill_rows("second"))  # the transaction begun: COPY
        raise Undone

    with pytest.raises(Undone):
        async with migrated_engine.begin() as conn:
            await conn.run_sync(write)
    async with migrated_engine.connect() as conn:
        assert (await conn.execute(select(fills))).all() == []


async def test_a_duplicate_key_is_an_integrity_error(migrated_engine: AsyncEngine) -> None:
    def write(conn: Connection) -> None:
        conn.execute(delete(tracking))
        rows = CASES[2][1]("dup")
        insert_rows(conn, tracking, rows)
        insert_rows(conn, tracking, rows[-1:] + rows[:-1])  # COPY on PostgreSQL

    with pytest.raises(IntegrityError):
        async with migrated_engine.begin() as conn:
            await conn.run_sync(write)


def account_rows(prefix: str, collateral: Decimal) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{n}",
            "owner_id": f"owner-{n}",
            "kind": "practice",
            "currency": "USD",
            "collateral": collateral + Decimal(n) / 7,
            "version": n,
            "created_at": AT,
            "daily_loss_limit": None if n % 2 else Decimal("250.5"),
            "results_day": AT.date() if n % 3 else None,
            "day_pnl": Decimal("-1.25"),
            "results_week": None,
            "week_pnl": Decimal(0),
            "week_capital": Decimal(10000),
            "markets": ["BTC-USD", "ETH-USD"] if n % 2 else None,
            "opens_at": None,
            "closes_at": AT if n % 4 else None,
            "leading": n % 2 == 0,
            "copy_id": None,
            "copy_floor": None,
            "copy_state": None,
        }
        for n in range(COPY_FROM_ROWS)
    ]


def order_rows(prefix: str, status: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-o{n}",
            "account_id": f"{prefix}-{n}",
            "market": "BTC-USD",
            "side": "buy" if n % 2 else "sell",
            "type": "limit",
            "size": Decimal("0.001") * (n + 1),
            "price": Decimal("60000.5") if n % 2 else None,
            "trigger_price": None,
            "reduce_only": n % 3 == 0,
            "time_in_force": "gtc",
            "client_order_id": None if n % 2 else f"c-{n}",
            "status": status,
            "filled_size": Decimal(0),
            "average_price": None,
            "reason": None,
            "created_at": AT,
            "updated_at": AT + timedelta(seconds=n),
        }
        for n in range(COPY_FROM_ROWS)
    ]


async def test_a_large_batch_updated_and_upserted_over_arrays_as_row_by_row(
    migrated_engine: AsyncEngine,
) -> None:
    """Trading's group commit of a large batch: account states updated, orders upserted
    (half new, half already stored) over arrays on PostgreSQL; the rows equal those the
    row-by-row statements write."""

    def write(conn: Connection) -> tuple[list[Any], list[Any]]:
        for prefix in ("plain", "bulk"):
            conn.execute(insert(accounts), account_rows(prefix, Decimal(1000)))
            upsert(conn, orders, order_rows(prefix, "open")[: COPY_FROM_ROWS // 2], ["id"])
        moved = [
            {k: row[k] for k in ("id", "collateral", "version", "leading", "results_day")}
            for row in account_rows("x", Decimal("999.99"))
        ]
        plain = [{**row, "id": row["id"].replace("x-", "plain-")} for row in moved]
        bulk = [{**row, "id": row["id"].replace("x-", "bulk-")} for row in moved]
        for row in plain:
            conn.execute(update(accounts).where(accounts.c.id == row["id"]).values(row))
        upsert(conn, orders, order_rows("plain", "filled"), ["id"])
        # Over arrays on PostgreSQL; elsewhere they do not apply (the caller's own path).
        arrays = conn.dialect.name == "postgresql"
        assert update_many(conn, accounts, bulk, "id") == arrays
        assert upsert_many(conn, orders, order_rows("bulk", "filled"), ["id"]) == arrays
        if not arrays:
            return [], [], [], []
        return [
            [
                {k: v for k, v in row.items() if k not in ("id", "account_id")}
                for row in conn.execute(
                    select(table).where(table.c.id.like(f"{prefix}-%")).order_by(table.c.id)
                ).mappings()
            ]
            for prefix in ("plain", "bulk")
            for table in (accounts, orders)
        ]

    async with migrated_engine.begin() as conn:
        plain_accounts, plain_orders, bulk_accounts, bulk_orders = await conn.run_sync(write)
    if migrated_engine.dialect.name != "postgresql":
        return  # seen not to apply, above
    assert bulk_accounts == plain_accounts
    assert bulk_orders == plain_orders
    assert {row["status"] for row in bulk_orders} == {"filled"}
    assert len(bulk_orders) == COPY_FROM_ROWS
