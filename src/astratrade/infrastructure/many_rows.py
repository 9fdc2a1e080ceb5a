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

from sqlalchemy import Connection
from sqlalchemy.sql.expression import Executable

Row = dict[str, Any]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    statement: Executable  # kept alive, so that no other statement takes its id
    sql: str | None  # None: a statement these rows do not fit (SQLAlchemy runs it)
    columns: tuple[tuple[str, Processor], ...]  # each parameter in order, and its processor


Schemas = frozenset[tuple[str | None, str | None]] | None
_COMPILED: dict[tuple[int, str, tuple[str, ...], Schemas], _Compiled] = {}


def execute_many(conn: Connection, statement: Executable, rows: Sequence[Row]) -> None:
    """Execute `statement` once for each row (each with the same keys), in the caller's
    transaction, as `conn.execute(statement, rows)` would. The statement is built once (a
    module's constant, or cached): each one is compiled and kept here."""
    if not rows:
        return
    names = tuple(rows[0])
    schemas = schemas_of(conn)
    key = (id(statement), conn.dialect.name, names, schemas)
    found = _COMPILED.get(key)
    if found is None:
        translate = None if schemas is None else dict(schemas)
        found = _COMPILED[key] = _compiled(conn, statement, names, translate)
    if found.sql is None:
        conn.execute(statement, list(rows))
        return
    columns = found.columns
    values = [
        tuple(row[name] if process is None else process(row[name]) for name, process in columns)
        for row in rows
    ]
    conn.exec_driver_sql(found.sql, values)


def schemas_of(conn: Connection) -> Schemas:
    """The connection's schema translation, as a key: the schema names are compiled into
    a statement's SQL, so each translation has statements of its own."""
    translate = conn.get_execution_options().get("schema_translate_map")
    return None if translate is None else frozenset(translate.items())


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
