"""Read the rows a batch of events touches in one query, instead of one query an event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

_QUERIES: dict[tuple[str, str, tuple[str, ...]], Select[Any]] = {}


def rows_by_key(
    conn: Connection, table: Table, keys: Sequence[str], wanted: Iterable[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The rows of `table` whose columns `keys` hold one of the `wanted` tuples, by tuple,
    as dicts. One query: each key column among its wanted values (on PostgreSQL as one
    array parameter, so one prepared statement whatever their count; an IN list of N is
    a new statement per N), then only the rows whose whole key was wanted."""
    wanted = set(wanted)
    if not wanted:
        return {}
    query = _query(conn.dialect.name, table, tuple(keys))
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in conn.execute(query, key_values(wanted)).mappings():
        key = tuple(row[name] for name in keys)
        if key in wanted:
            found[key] = dict(row)
    return found


def among(dialect: str, table: Table, keys: Sequence[str]) -> ColumnElement[bool]:
    """Each key column among its wanted values (`key_values` binds them): a superset of the
    wanted keys, to be narrowed to the whole tuples once read."""
    columns = [table.c[name] for name in keys]
    if dialect == "postgresql":
        matches = [
            c == any_(bindparam(f"k{i}", type_=ARRAY(c.type))) for i, c in enumerate(columns)
        ]
    else:
        matches = [c.in_(bindparam(f"k{i}", expanding=True)) for i, c in enumerate(columns)]
    return and_(*matches)


def key_values(wanted: set[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The parameters of `among` for these key tuples."""
    width = len(next(iter(wanted)))
    return {f"k{i}": sorted({key[i] for key in wanted}) for i in range(width)}


def _query(dialect: str, table: Table, keys: tuple[str, ...]) -> Select[Any]:
    query = _QUERIES.get((dialect, table.fullname, keys))
    if query is None:
        query = select(table).where(among(dialect, table, keys))
        _QUERIES[(dialect, table.fullname, keys)] = query
    return query
