"""Insert or update by key, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from astratrade.infrastructure.many_rows import execute_many

_UPSERTS: dict[tuple[str, str], Any] = {}


def upsert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert or update by primary key; the statement is built once per dialect and table."""
    if not rows:
        return
    dialect = conn.dialect.name
    statement = _UPSERTS.get((dialect, table.name))
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        base = insert(table)
        updates = {c.name: base.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = base.on_conflict_do_update(index_elements=keys, set_=updates)
        _UPSERTS[(dialect, table.name)] = statement
    execute_many(conn, statement, rows)
