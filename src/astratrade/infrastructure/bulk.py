"""A batch of rows into one table in one step: PostgreSQL's COPY where the driver offers
it, else one executemany INSERT; a large batch's upserts and updates as one statement over
arrays (`unnest`) on PostgreSQL.

Through SQLAlchemy, asyncpg binds and executes an INSERT for each row of an executemany,
and SQLAlchemy processes each row's parameters in Python first: a group commit of 500
copy orders spent ~70 ms of its ~160 ms on the event log, the outbox, the fills and the
tracking rows. COPY sends the rows as one binary stream, encoded by asyncpg in C, and
PostgreSQL stores them without an INSERT each. It runs inside the caller's transaction and
commits or rolls back with it; a unique or foreign key violation raises SQLAlchemy's
IntegrityError, as the INSERT would."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import Connection, Dialect, Table, TextClause, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

from astratrade.infrastructure.many_rows import execute_many

Row = dict[str, Any]
# A COPY costs PostgreSQL more to set up than a few INSERTs: a few rows (a group commit of
# HTTP orders, a projection's tracking rows) go as an INSERT.
COPY_FROM_ROWS = 64


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert the rows (each with the same keys) inside the caller's transaction."""
    if not rows:
        return
    # The adapter begins the transaction at the first statement: a COPY before any would
    # run outside it.
    if not (_large_on_asyncpg(conn, rows) and _in_transaction(conn)):
        execute_many(conn, _insert_of(table), rows)
        return
    names = list(rows[0])
    records = list(zip(*_processed(table, names, rows, conn.dialect), strict=True))

    async def copy(connection: Any) -> None:
        await connection.copy_records_to_table(
            table.name, records=records, columns=names, schema_name=table.schema
        )

    try:
        conn.connection.dbapi_connection.run_async(copy)  # type: ignore[union-attr]
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(f"COPY {table.fullname}", None, error) from error


@cache
def _insert_of(table: Table) -> Insert:
    return insert(table)


def upsert_many(conn: Connection, table: Table, rows: Sequence[Row], keys: Sequence[str]) -> bool:
    """Insert or update a large batch by key as one INSERT ... SELECT FROM unnest(arrays)
    ON CONFLICT DO UPDATE on PostgreSQL (an executemany runs one upsert a row); False when
    it does not apply (few rows, another database): the caller writes them as usual. The
    rows' keys must differ (as for any multi-row upsert)."""
    return _over_arrays(conn, "upsert", table, rows, tuple(keys))


def update_many(conn: Connection, table: Table, rows: Sequence[Row], key: str) -> bool:
    """Update a large batch of rows by `key` as one UPDATE ... FROM unnest(arrays) on
    PostgreSQL; False when it does not apply (the caller updates them as usual)."""
    return _over_arrays(conn, "update", table, rows, (key,))


def _large_on_asyncpg(conn: Connection, rows: Sequence[Row]) -> bool:
    return len(rows) >= COPY_FROM_ROWS and conn.dialect.driver == "asyncpg"


def _in_transaction(conn: Connection) -> bool:
    driver = conn.connection.driver_connection
    return driver is not None and bool(driver.is_in_transaction())


def _over_arrays(
    conn: Connection, kind: str, table: Table, rows: Sequence[Row], keys: tuple[str, ...]
) -> bool:
    if not _large_on_asyncpg(conn, rows):
        return False
    names = tuple(rows[0])
    statement = _statement((kind, table, names, keys), conn.dialect)
    arrays = _processed(table, names, rows, conn.dialect)
    conn.execute(statement, dict(zip(names, arrays, strict=True)))
    return True


def _processed(
    table: Table, names: Sequence[str], rows: Sequence[Row], dialect: Dialect
) -> list[list[Any]]:
    """Each column's values as the driver gets them: what SQLAlchemy does to them first
    (JSON encoded, times made UTC, ...)."""
    columns = []
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        columns.append(values if process is None else [process(v) for v in values])
    return columns


_STATEMENTS: dict[tuple[str, Table, tuple[str, ...], tuple[str, ...]], TextClause] = {}


def _statement(
    shape: tuple[str, Table, tuple[str, ...], tuple[str, ...]], dialect: Dialect
) -> TextClause:
    found = _STATEMENTS.get(shape)
    if found is not None:
        return found
    kind, table, names, keys = shape
    quote = dialect.identifier_preparer.quote  # `leading` is a reserved word, for one
    name = dialect.identifier_preparer.format_table(table)
    arrays = ", ".join(f"CAST(:{n} AS {table.c[n].type.compile(dialect=dialect)}[])" for n in names)
    columns = ", ".join(quote(n) for n in names)
    # Names from the table's own metadata, values all bound: nothing a caller writes.
    if kind == "upsert":
        sets = ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in names if n not in keys)
        sql = (
            f"INSERT INTO {name} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {sets}"
        )
    else:
        sets = ", ".join(f"{quote(n)} = moved.{quote(n)}" for n in names if n not in keys)
        where = " AND ".join(f"{name}.{quote(k)} = moved.{quote(k)}" for k in keys)
        sql = (
            f"UPDATE {name} SET {sets} FROM unnest({arrays}) "  # noqa: S608
            f"AS moved ({columns}) WHERE {where}"
        )
    _STATEMENTS[shape] = statement = text(sql)
    return statement
