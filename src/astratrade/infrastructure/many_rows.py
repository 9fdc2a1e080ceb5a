"""`conn.execute(statement, rows)` for many rows of the same keys, at a fraction of its CPU.

For an executemany SQLAlchemy builds a dict of parameters for each row and runs each value
through its type's bind processor, all in Python: in the in-process read models that was
over a third of the single writer's CPU (measured with a thread-CPU profile of 2,000
orders). Here the statement is compiled once per dialect and set of keys, and each row goes
to the driver as a tuple, its values processed by the same bind processors. A statement
that needs more than the rows give (a column default computed in Python, a dialect with
named parameters) goes through `conn.execute` as before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.sql.expression import Executable

Row = dict[str, Any]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    statement: Executable  # kept alive, so that no other statement takes its id
    sql: str | None  # None: a statement these rows do not fit (SQLAlchemy runs it)
    columns: tuple[tuple[str, Processor], ...]  # each parameter in order, and its processor

    def values(self, row: Row) -> tuple[Any, ...]:
        """The row's parameters in the statement's order, through their bind processors."""
        return tuple(
            row[name] if process is None else process(row[name]) for name, process in self.columns
        )


Schemas = frozenset[tuple[str | None, str | None]] | None
_COMPILED: dict[tuple[int, str, tuple[str, ...], Schemas], _Compiled] = {}


def execute_many(conn: Connection, statement: Executable, rows: Sequence[Row]) -> None:
    """Execute `statement` once for each row (each with the same keys), in the caller's
    transaction, as `conn.execute(statement, rows)` would. The statement is built once (a
    module's constant, or cached): each one is compiled and kept here."""
    if not rows:
        return
    found = _compiled_for(conn, statement, tuple(rows[0]))
    if found.sql is None:
        conn.execute(statement, list(rows))
        return
    conn.exec_driver_sql(found.sql, [found.values(row) for row in rows])


def execute_one(conn: Connection, statement: Executable, params: Row) -> CursorResult[Any]:
    """`conn.execute(statement, params)`, compiled and kept as `execute_many` keeps its
    statements: for one statement of many parameters run often (a multi-row INSERT ...
    RETURNING), whose parameters go to the driver as a tuple."""
    found = _compiled_for(conn, statement, tuple(params))
    if found.sql is None:
        return conn.execute(statement, params)
    return conn.exec_driver_sql(found.sql, found.values(params))


def _compiled_for(conn: Connection, statement: Executable, names: tuple[str, ...]) -> _Compiled:
    # The schema names are compiled in, so each translation has statements of its own.
    translate = conn.get_execution_options().get("schema_translate_map")
    schemas = None if translate is None else frozenset(translate.items())
    key = (id(statement), conn.dialect.name, names, schemas)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _compiled(conn, statement, names, translate)
    return found


def _compiled(
    conn: Connection,
    statement: Executable,
    names: tuple[str, ...],
    translate: dict[str | None, str | None] | None,
) -> _Compiled:
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=conn.dialect,
        column_keys=list(names),
        schema_translate_map=translate,
        render_schema_translate=translate is not None,
    )
    order = compiled.positiontup
    if order is None or not set(order) <= set(names) or compiled.literal_execute_params:
        return _Compiled(statement, None, ())
    processors = compiled._bind_processors  # what SQLAlchemy applies itself
    columns = tuple((name, processors.get(name)) for name in order)
    return _Compiled(statement, compiled.string, columns)
